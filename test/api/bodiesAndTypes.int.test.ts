import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ApiWorld, apiWorld, call, expectError, expectList, expectObject, num } from "../support/worlds/apiWorld.js"

/**
 * What GitLab clients send and expect on the wire: python-gitlab sends `Content-Type: application/json` with no
 * body on DELETE, and before 4.0 refuses a response whose content type is not exactly `application/json`.
 */
describe("API bodies and content types", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  const empty = (contentType: string) => ({ token: w.root.token, headers: { "content-type": contentType }, form: "" })

  it("accepts an empty body under any JSON or form content type", async () => {
    for (const contentType of ["application/json", "application/json; charset=utf-8", "application/vnd.api+json", "application/x-www-form-urlencoded"]) {
      const token = expectObject(await call(w.app, "POST", `/api/v4/users/${w.outsider.id}/personal_access_tokens`, {
        token: w.root.token,
        json: { name: `for ${contentType}`, scopes: ["read_api"] }
      }), 201)
      const revoked = await call(w.app, "DELETE", `/api/v4/personal_access_tokens/${num(token, "id")}`, empty(contentType))
      expect(revoked.statusCode, `${contentType}: ${revoked.body}`).toBe(204)
      const after = expectObject(await call(w.app, "GET", `/api/v4/personal_access_tokens/${num(token, "id")}`, { token: w.root.token }), 200)
      expect(after["revoked"]).toBe(true)
    }
  })

  it("still refuses a JSON body that is not JSON", async () => {
    const broken = await call(w.app, "POST", "/api/v4/groups", { ...empty("application/json"), form: "{" })
    expectError(broken, 400, { error: "body is invalid: it must be JSON or form fields" })
  })

  it("answers application/json exactly, on success, on failure and on unknown routes", async () => {
    const user = await call(w.app, "GET", "/api/v4/user", { token: w.root.token })
    expectObject(user, 200)
    expect(user.headers["content-type"]).toBe("application/json")
    const list = await call(w.app, "GET", "/api/v4/groups", { token: w.root.token })
    expectList(list)
    expect(list.headers["content-type"]).toBe("application/json")
    const refused = await call(w.app, "GET", "/api/v4/user")
    expect(refused.statusCode).toBe(401)
    expect(refused.headers["content-type"]).toBe("application/json")
    const unknown = await call(w.app, "GET", "/api/v4/projects", { token: w.root.token })
    expectError(unknown, 404, { message: "404 Not Found" })
    expect(unknown.headers["content-type"]).toBe("application/json")
  })
})
