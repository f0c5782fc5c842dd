import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ApiWorld, apiWorld, call, expectError, expectList, expectObject, FORBIDDEN, notFound, num, text } from "../support/worlds/apiWorld.js"

const FIELDS = ["access_level", "active", "created_at", "expires_at", "id", "last_used_at", "name", "revoked", "scopes", "user_id"]

describe("group access tokens over the REST API", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  const url = (group: number) => `/api/v4/groups/${group}/access_tokens`
  const create = (token: string, json: unknown, group = w.groups.top) => call(w.app, "POST", url(group), { token, json })

  it("lets an Owner create one whose bot becomes a member with the token's role", async () => {
    const expiresAt = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10)
    const body = expectObject(await create(w.owner.token, { name: "reader", scopes: ["read_api", "read_registry"], access_level: 20, expires_at: expiresAt }), 201)
    expect(Object.keys(body).sort()).toEqual([...FIELDS, "token"].sort())
    expect(body).toMatchObject({ name: "reader", access_level: 20, scopes: ["read_api", "read_registry"], expires_at: expiresAt, active: true })
    expect(text(body, "token")).toMatch(/^glgat-/)
    const bot = expectList(await call(w.app, "GET", `/api/v4/groups/${w.groups.top}/members`, { token: w.owner.token })).find((m) => m.id === body.user_id)
    expect(bot).toMatchObject({ access_level: 20, name: "reader" })
    const user = expectObject(await call(w.app, "GET", `/api/v4/users/${num(body, "user_id")}`, { token: w.root.token }), 200)
    expect(user).toMatchObject({ bot: true })
  })

  it("defaults to the Maintainer role, as GitLab does", async () => {
    expect(expectObject(await create(w.owner.token, { name: "default", scopes: ["read_registry"] }), 201)).toMatchObject({ access_level: 40 })
  })

  it("lists, shows and revokes them without showing the plaintext again", async () => {
    const created = expectObject(await create(w.owner.token, { name: "short-lived", scopes: ["read_registry"] }, w.groups.sub), 201)
    const list = expectList(await call(w.app, "GET", url(w.groups.sub), { token: w.owner.token }))
    expect(list.map((t) => t.id)).toEqual([created.id])
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(FIELDS)
    expect(JSON.stringify(list)).not.toContain(text(created, "token"))
    expect((await call(w.app, "DELETE", `${url(w.groups.sub)}/${num(created, "id")}`, { token: w.owner.token })).statusCode).toBe(204)
    expect(expectObject(await call(w.app, "GET", `${url(w.groups.sub)}/${num(created, "id")}`, { token: w.owner.token }), 200)).toMatchObject({
      revoked: true, active: false
    })
  })

  it("is for Owners", async () => {
    expectError(await create(w.maintainer.token, { name: "x", scopes: ["api"] }), 403, FORBIDDEN)
    expectError(await call(w.app, "GET", url(w.groups.top), { token: w.guest.token }), 403, FORBIDDEN)
    expectError(await create(w.outsider.token, { name: "x", scopes: ["api"] }), 404, notFound("Group"))
    expectError(await create(w.guestReadOnly, { name: "x", scopes: ["api"] }), 403, FORBIDDEN)
  })

  it("answers bad input with the parameter or field named", async () => {
    expectError(await create(w.owner.token, { scopes: ["api"] }), 400, { error: "name is missing" })
    expectError(await create(w.owner.token, { name: "x", scopes: ["api"], access_level: 60 }), 400, { error: "access_level does not have a valid value" })
    expectError(await create(w.owner.token, { name: "x", scopes: ["sudo"] }), 400, { message: { scopes: ["sudo not allowed for group_access tokens"] } })
    expectError(await create(w.owner.token, { name: "x", scopes: ["api"], expires_at: "01/02/2099" }), 400, { error: "expires_at is invalid" })
  })

  it("answers 404 Token Not Found for a token of another kind or group", async () => {
    const pat = expectObject(await call(w.app, "GET", "/api/v4/personal_access_tokens/self", { token: w.owner.token }), 200)
    expectError(await call(w.app, "DELETE", `${url(w.groups.top)}/${num(pat, "id")}`, { token: w.owner.token }), 404, notFound("Token"))
  })
})
