import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ApiWorld, apiWorld, call, expectError, expectObject, FORBIDDEN, notFound } from "../support/worlds/apiWorld.js"

describe("SAML SSO sessions over the REST API", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  const sessions = (group: number | string) => `/api/v4/groups/${group}/saml_sessions`

  it("lets an admin start (201) and end (204) a user's session with a top-level group", async () => {
    const started = expectObject(await call(w.app, "POST", sessions("top"), { token: w.root.token, json: { user_id: w.guest.id, expires_at: "2099-01-01" } }), 201)
    expect(started).toEqual({ user_id: w.guest.id, group_id: w.groups.top, expires_at: "2099-01-01T00:00:00.000Z", active: true })
    expect((await call(w.app, "DELETE", `${sessions(w.groups.top)}/${w.guest.id}`, { token: w.root.token })).statusCode).toBe(204)
    expectError(await call(w.app, "DELETE", `${sessions(w.groups.top)}/${w.guest.id}`, { token: w.root.token }), 404, notFound("SAML Session"))
  })

  it("lasts a day by default", async () => {
    const started = expectObject(await call(w.app, "POST", sessions(w.groups.top), { token: w.root.token, form: `user_id=${w.maintainer.id}` }), 201)
    const hours = (Date.parse(String(started.expires_at)) - Date.now()) / 3_600_000
    expect(hours).toBeGreaterThan(23.9)
    expect(hours).toBeLessThanOrEqual(24)
  })

  it("is for admins only, Owners included", async () => {
    expectError(await call(w.app, "POST", sessions(w.groups.top), { token: w.owner.token, json: { user_id: w.guest.id } }), 403, FORBIDDEN)
    expectError(await call(w.app, "DELETE", `${sessions(w.groups.top)}/${w.guest.id}`, { token: w.owner.token }), 403, FORBIDDEN)
  })

  it("refuses subgroups, unknown users and groups, and bad input", async () => {
    expectError(await call(w.app, "POST", sessions(w.groups.sub), { token: w.root.token, json: { user_id: w.guest.id } }), 400, {
      message: "400 Bad request - only a top-level group has SAML SSO"
    })
    expectError(await call(w.app, "POST", sessions(w.groups.top), { token: w.root.token, json: { user_id: 99999 } }), 404, notFound("User"))
    expectError(await call(w.app, "POST", sessions(99999), { token: w.root.token, json: { user_id: w.guest.id } }), 404, notFound("Group"))
    expectError(await call(w.app, "POST", sessions(w.groups.top), { token: w.root.token, json: {} }), 400, { error: "user_id is missing" })
    expectError(await call(w.app, "POST", sessions(w.groups.top), { token: w.root.token, json: { user_id: w.guest.id, expires_at: "2000-01-01" } }), 400, {
      message: { expires_at: ["must be in the future"] }
    })
  })
})
