import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { actorsOf, type ApiWorld, apiWorld, call, expectError, expectList, expectObject, FORBIDDEN, notFound, num } from "../support/worlds/apiWorld.js"

const PATH_RULE =
  "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.', '.git' or '.atom', or contain '..'"

describe("groups over the REST API", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  const create = (token: string, json: unknown) => call(w.app, "POST", "/api/v4/groups", { token, json })

  describe("POST /groups", () => {
    it("lets any api user create a top-level group, of which they become the Owner", async () => {
      const body = expectObject(await create(w.outsider.token, { name: "Mine", path: "mine" }), 201)
      expect(Object.keys(body).sort()).toEqual(["avatar_url", "created_at", "description", "full_name", "full_path", "id", "name", "parent_id", "path", "visibility", "web_url"])
      expect(body).toMatchObject({ name: "Mine", path: "mine", full_path: "mine", parent_id: null, web_url: "http://registry.test:5000/groups/mine" })
      const members = expectList(await call(w.app, "GET", `/api/v4/groups/${num(body, "id")}/members`, { token: w.outsider.token }))
      expect(members.map((m) => [m.id, m.access_level])).toEqual([[w.outsider.id, 50]])
      // GroupCreated and the creator's MemberAdded, both the caller's.
      expect(await actorsOf(w.h, `group-${num(body, "id")}`)).toEqual([`user:${w.outsider.id}`, `user:${w.outsider.id}`])
    })

    it("lets an Owner of the parent (even inherited) or an admin create a subgroup, from form fields too", async () => {
      expect(expectObject(await create(w.owner.token, { name: "Deeper", path: "deeper", parent_id: w.groups.deep }), 201)).toMatchObject({
        full_path: "top/sub/deep/deeper", parent_id: w.groups.deep
      })
      const form = await call(w.app, "POST", "/api/v4/groups", { token: w.root.token, form: `name=Admin%27s&path=admins&parent_id=${w.groups.top}` })
      expect(expectObject(form, 201)).toMatchObject({ full_path: "top/admins", name: "Admin's" })
    })

    it("refuses a subgroup to a Maintainer or Guest of the parent (403), and to an outsider (404)", async () => {
      expectError(await create(w.maintainer.token, { name: "M", path: "m", parent_id: w.groups.top }), 403, FORBIDDEN)
      expectError(await create(w.guest.token, { name: "G", path: "g", parent_id: w.groups.sub }), 403, FORBIDDEN)
      expectError(await create(w.outsider.token, { name: "O", path: "o", parent_id: w.groups.top }), 404, notFound("Group"))
      expectError(await create(w.root.token, { name: "N", path: "n", parent_id: 99999 }), 404, notFound("Group"))
    })

    it("refuses a read_api token", async () => {
      expectError(await create(w.guestReadOnly, { name: "R", path: "r" }), 403, FORBIDDEN)
    })

    it("answers bad input with the parameter or field named", async () => {
      expectError(await create(w.owner.token, {}), 400, { error: "name is missing, path is missing" })
      expectError(await create(w.owner.token, { name: "X", path: "x", parent_id: "top" }), 400, { error: "parent_id is invalid" })
      expectError(await create(w.owner.token, { name: "X", path: "x", parent_id: -1 }), 400, { error: "parent_id is invalid" })
      expectError(await create(w.owner.token, { name: ["X"], path: "x" }), 400, { error: "name is invalid" })
      expectError(await create(w.owner.token, { name: "X", path: "../etc" }), 400, { message: { path: [PATH_RULE] } })
      expectError(await create(w.owner.token, { name: "X", path: "p".repeat(300) }), 400, { message: { path: [PATH_RULE] } })
      expectError(await create(w.owner.token, { name: "n".repeat(256), path: "x" }), 400, { message: { name: ["is too long (maximum is 255 characters)"] } })
      expectError(await create(w.owner.token, { name: "Top again", path: "TOP" }), 400, { message: { path: ["has already been taken"] } })
      expectError(await create(w.owner.token, { name: "Sub again", path: "sub", parent_id: w.groups.top }), 400, { message: { path: ["has already been taken"] } })
    })
  })

  describe("reading groups", () => {
    it("lists the groups the caller can see, by name", async () => {
      const guests = expectList(await call(w.app, "GET", "/api/v4/groups", { token: w.guestReadOnly }))
      expect(guests.map((g) => g.full_path)).toEqual(expect.arrayContaining(["top", "top/sub", "top/sub/deep"]))
      expect(guests.map((g) => g.full_path)).not.toContain("other")
      expect(expectList(await call(w.app, "GET", "/api/v4/groups", { token: w.root.token })).map((g) => g.full_path)).toContain("other")
    })

    it("gets a group by id or by URL-encoded full path, case-insensitively", async () => {
      for (const ref of [String(w.groups.sub), "top%2Fsub", "TOP%2Fsub"]) {
        expect(expectObject(await call(w.app, "GET", `/api/v4/groups/${ref}`, { token: w.guest.token }), 200)).toMatchObject({
          id: w.groups.sub, full_path: "top/sub", parent_id: w.groups.top
        })
      }
    })

    it("answers 404 Group Not Found for groups one cannot see and groups that do not exist alike", async () => {
      expectError(await call(w.app, "GET", `/api/v4/groups/${w.groups.other}`, { token: w.guest.token }), 404, notFound("Group"))
      expectError(await call(w.app, "GET", "/api/v4/groups/other", { token: w.guest.token }), 404, notFound("Group"))
      expectError(await call(w.app, "GET", "/api/v4/groups/99999", { token: w.root.token }), 404, notFound("Group"))
      expectError(await call(w.app, "GET", "/api/v4/groups/no%2Fsuch", { token: w.root.token }), 404, notFound("Group"))
    })

    it("lists a group's direct subgroups", async () => {
      const subgroups = expectList(await call(w.app, "GET", `/api/v4/groups/${w.groups.sub}/subgroups`, { token: w.guest.token }))
      expect(subgroups.map((g) => g.full_path)).toEqual(["top/sub/deep"])
      expectError(await call(w.app, "GET", `/api/v4/groups/${w.groups.sub}/subgroups`, { token: w.outsider.token }), 404, notFound("Group"))
    })
  })
})
