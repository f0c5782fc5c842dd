import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { addUser, type ApiWorld, apiWorld, call, expectError, expectObject, passwordOf, text } from "../support/worlds/apiWorld.js"

/** Finding 6: a 2-hour OAuth token could mint never-expiring `api` personal access tokens (and wider ones). */
describe("a token minted with a token", () => {
  let w: ApiWorld
  let oauth: string
  beforeAll(async () => {
    w = await apiWorld()
    await addUser(w.h, "scripted")
    const grant = await call(w.app, "POST", "/oauth/token", { form: `grant_type=password&username=scripted&password=${passwordOf("scripted")}` })
    oauth = text(expectObject(grant, 200), "access_token")
  })
  afterAll(() => w.h.close())

  const mint = (json: unknown, token = oauth) => call(w.app, "POST", "/api/v4/user/personal_access_tokens", { token, json })
  const day = 24 * 3600 * 1000

  it("expires within the instance's limit: left out, it is the limit, as in GitLab", async () => {
    const made = expectObject(await mint({ name: "forever?", scopes: ["api"] }), 201)
    const expires = Date.parse(`${text(made, "expires_at")}T00:00:00Z`)
    expect(expires).toBeGreaterThan(Date.now() + 363 * day)
    expect(expires).toBeLessThanOrEqual(Date.now() + 365 * day)
    expectError(await mint({ name: "later", scopes: ["api"], expires_at: "2099-01-01" }), 400, {
      message: { expires_at: ["must be at most 365 days from now"] }
    })
  })

  it("follows the instance's limit when an administrator lowers it", async () => {
    expectObject(await call(w.app, "PUT", "/api/v4/application/settings", { token: w.root.token, json: { max_personal_access_token_lifetime: 30 } }), 200)
    try {
      const made = expectObject(await mint({ name: "month", scopes: ["read_registry"] }), 201)
      expect(Date.parse(`${text(made, "expires_at")}T00:00:00Z`)).toBeLessThanOrEqual(Date.now() + 30 * day)
      expectError(await mint({ name: "year", scopes: ["read_registry"], expires_at: new Date(Date.now() + 60 * day).toISOString().slice(0, 10) }), 400, {
        message: { expires_at: ["must be at most 30 days from now"] }
      })
      // Only administrators change the instance's settings.
      expectError(await call(w.app, "PUT", "/api/v4/application/settings", { token: oauth, json: { max_personal_access_token_lifetime: 365 } }), 403, {
        message: "403 Forbidden"
      })
    } finally {
      expectObject(await call(w.app, "PUT", "/api/v4/application/settings", { token: w.root.token, json: { max_personal_access_token_lifetime: 365 } }), 200)
    }
  })

  it("is no wider than the token that made it", async () => {
    expectError(await mint({ name: "sudo", scopes: ["api", "sudo"] }), 403, { message: "403 Forbidden - the calling token cannot grant sudo" })
    expectError(await mint({ name: "admin", scopes: ["admin_mode"] }), 403, { message: "403 Forbidden - the calling token cannot grant admin_mode" })
  })
})
