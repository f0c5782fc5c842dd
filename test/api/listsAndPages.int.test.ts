import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createGroup } from "../../src/application/useCases/groups.js"
import { type ApiWorld, addMember, addUser, apiWorld, blockUser, call, expectError, expectList, expectObject, num, text } from "../support/worlds/apiWorld.js"

const BASE = "http://registry.test:5000/api/v4"
const pad = (i: number) => String(i).padStart(2, "0")

/** GitLab's paging and list filters: every list answers pages with the same headers, and filters before paging. */
describe("API lists: pages and filters", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
    // 4 groups in the world and 21 more: 25 visible to root, in pages of 20 by default.
    for (let i = 1; i <= 21; i++) {
      await w.h.run(createGroup({ path: `page-${pad(i)}`, name: `Page ${pad(i)}`, parentId: null, ownerUserId: w.root.id }))
    }
  })
  afterAll(() => w.h.close())

  const get = (url: string, token = w.root.token) => call(w.app, "GET", `/api/v4${url}`, { token })
  const names = (list: ReadonlyArray<Record<string, unknown>>, field = "name") => list.map((g) => text(g, field))

  it("pages 20 by default, with GitLab's headers and links", async () => {
    const first = await get("/groups")
    expect(names(expectList(first))).toEqual(["Deep", "Other", ...Array.from({ length: 18 }, (_, i) => `Page ${pad(i + 1)}`)])
    expect(first.headers).toMatchObject({
      "x-page": "1", "x-per-page": "20", "x-total": "25", "x-total-pages": "2", "x-next-page": "2", "x-prev-page": ""
    })
    expect(first.headers["link"]).toBe(
      `<${BASE}/groups?page=2&per_page=20>; rel="next", <${BASE}/groups?page=1&per_page=20>; rel="first", <${BASE}/groups?page=2&per_page=20>; rel="last"`
    )
    const second = await get("/groups?page=2")
    expect(names(expectList(second))).toEqual(["Page 19", "Page 20", "Page 21", "Sub", "Top"])
    expect(second.headers).toMatchObject({ "x-page": "2", "x-next-page": "", "x-prev-page": "1" })
    expect(second.headers["link"]).toContain(`<${BASE}/groups?page=1&per_page=20>; rel="prev"`)
  })

  it("keeps the filters in its links, ends in an empty page, and bounds per_page to 1..100", async () => {
    const small = await get("/groups?search=page&per_page=7&page=3")
    expect(names(expectList(small))).toEqual(["Page 15", "Page 16", "Page 17", "Page 18", "Page 19", "Page 20", "Page 21"])
    expect(small.headers).toMatchObject({ "x-total": "21", "x-total-pages": "3", "x-next-page": "", "x-prev-page": "2" })
    expect(small.headers["link"]).toContain(`<${BASE}/groups?search=page&per_page=7&page=2>; rel="prev"`)
    const past = await get("/groups?page=9")
    expect(expectList(past)).toEqual([])
    expect(past.headers).toMatchObject({ "x-page": "9", "x-next-page": "", "x-total": "25" })
    expect((await get("/groups?per_page=500")).headers["x-per-page"]).toBe("100")
    expect((await get("/groups?per_page=0&page=-3")).headers).toMatchObject({ "x-per-page": "20", "x-page": "1" })
    expectError(await get("/groups?page=two"), 400, { error: "page is invalid" })
  })

  it("filters groups by search, top_level_only, owned and min_access_level, only among those the caller sees", async () => {
    expect(names(expectList(await get("/groups?search=SU")))).toEqual(["Sub"])
    expect(names(expectList(await get("/groups?top_level_only=true&search=o")))).toEqual(["Other", "Top"])
    // root sees every group but owns only those it is Owner of by membership.
    expect(names(expectList(await get("/groups?owned=true&per_page=100")))).toEqual(["Other", ...Array.from({ length: 21 }, (_, i) => `Page ${pad(i + 1)}`)])
    expect(names(expectList(await get("/groups?owned=true", w.owner.token)))).toEqual(["Deep", "Sub", "Top"])
    expect(names(expectList(await get("/groups?owned=true", w.maintainer.token)))).toEqual([])
    expect(names(expectList(await get("/groups?min_access_level=40", w.maintainer.token)))).toEqual(["Deep", "Sub", "Top"])
    expect(names(expectList(await get("/groups?min_access_level=20", w.guest.token)))).toEqual([])
    expect(names(expectList(await get("/groups?search=other", w.guest.token)))).toEqual([])
    expectError(await get("/groups?min_access_level=25"), 400, { error: "min_access_level does not have a valid value" })
  })

  it("pages subgroups and descendant groups", async () => {
    expect(names(expectList(await get(`/groups/${w.groups.top}/subgroups`, w.guest.token)))).toEqual(["Sub"])
    const descendants = await get(`/groups/${w.groups.top}/descendant_groups?per_page=1`, w.guest.token)
    expect(names(expectList(descendants))).toEqual(["Deep"])
    expect(descendants.headers).toMatchObject({ "x-total": "2", "x-next-page": "2" })
    expectError(await get(`/groups/${w.groups.top}/descendant_groups`, w.outsider.token), 404, { message: "404 Group Not Found" })
  })

  it("filters users by search, username and active, for admins", async () => {
    const blocked = await addUser(w.h, "blocked-person")
    await blockUser(w.h, blocked)
    expect(names(expectList(await get("/users?search=OUT")), "username")).toEqual(["outsider"])
    expect(names(expectList(await get("/users?search=blocked")), "username")).toEqual(["blocked-person"])
    expect(names(expectList(await get("/users?search=blocked&active=true")), "username")).toEqual([])
    expect(names(expectList(await get("/users?username=GUEST")), "username")).toEqual(["guest"])
    const paged = await get("/users?per_page=2&page=2")
    expect(names(expectList(paged), "username")).toEqual(["maintainer", "guest"])
    expect(paged.headers).toMatchObject({ "x-total": "6", "x-total-pages": "3" })
    // Others' accounts are an admin's business: a user finds only themself, even by search.
    expect(names(expectList(await get("/users?search=o", w.guest.token)), "username")).toEqual([])
  })

  it("lists every personal token of the instance to an admin, filtered by state and revoked; a user sees their own", async () => {
    const all = expectList(await get("/personal_access_tokens?per_page=100"))
    expect(new Set(all.map((t) => num(t, "user_id")))).toEqual(new Set([w.root.id, w.owner.id, w.maintainer.id, w.guest.id, w.outsider.id]))
    const made = expectObject(await call(w.app, "POST", "/api/v4/user/personal_access_tokens", { token: w.guest.token, json: { name: "to revoke", scopes: ["read_api"] } }), 201)
    expect((await call(w.app, "DELETE", `/api/v4/personal_access_tokens/${num(made, "id")}`, { token: w.guest.token })).statusCode).toBe(204)
    const revoked = expectList(await get(`/personal_access_tokens?revoked=true&user_id=${w.guest.id}`))
    expect(revoked.map((t) => t["name"])).toEqual(["to revoke"])
    const inactive = expectList(await get("/personal_access_tokens?state=inactive", w.guest.token))
    expect(inactive.map((t) => t["name"])).toEqual(["to revoke"])
    const mine = expectList(await get("/personal_access_tokens?state=active", w.guest.token))
    expect(mine.map((t) => t["name"])).toEqual(["api token", "read_api token", "read_registry token"])
    expect(mine.every((t) => t["user_id"] === w.guest.id)).toBe(true)
    expectError(await get("/personal_access_tokens?state=gone", w.guest.token), 400, { error: "state does not have a valid value" })
  })

  it("pages and filters group members and group tokens", async () => {
    for (let i = 1; i <= 3; i++) await addMember(w.h, w.groups.sub, await addUser(w.h, `member-${i}`), 20)
    const direct = await get(`/groups/${w.groups.sub}/members?per_page=2`, w.guest.token)
    // The creator of a subgroup is its Owner too.
    expect(names(expectList(direct), "username")).toEqual(["owner", "member-1"])
    expect(direct.headers).toMatchObject({ "x-total": "4", "x-next-page": "2" })
    expect(names(expectList(await get(`/groups/${w.groups.sub}/members/all?query=MAIN`, w.guest.token)), "username")).toEqual(["maintainer"])
    const deploy = expectObject(await call(w.app, "POST", `/api/v4/groups/${w.groups.top}/deploy_tokens`, { token: w.owner.token, json: { name: "ci", scopes: ["read_registry"] } }), 201)
    await call(w.app, "POST", `/api/v4/groups/${w.groups.top}/deploy_tokens`, { token: w.owner.token, json: { name: "kept", scopes: ["read_registry"] } })
    expect((await call(w.app, "DELETE", `/api/v4/groups/${w.groups.top}/deploy_tokens/${num(deploy, "id")}`, { token: w.owner.token })).statusCode).toBe(204)
    expect(names(expectList(await get(`/groups/${w.groups.top}/deploy_tokens?active=true`, w.owner.token)))).toEqual(["kept"])
    expect(names(expectList(await get(`/groups/${w.groups.top}/deploy_tokens?revoked=true`, w.owner.token)))).toEqual(["ci"])
    expect((await get(`/groups/${w.groups.top}/deploy_tokens?per_page=1`, w.owner.token)).headers["x-total-pages"]).toBe("2")
  })
})
