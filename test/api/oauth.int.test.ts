import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { changeUser } from "../../src/application/useCases/users.js"
import { actorsOf, type ApiWorld, apiWorld, addUser, blockUser, call, expectError, expectObject, num, passwordOf, text } from "../support/worlds/apiWorld.js"

const INVALID_GRANT = {
  error: "invalid_grant",
  error_description:
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
}

const grant = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

describe("POST /oauth/token (password grant)", () => {
  let w: ApiWorld
  beforeAll(async () => {
    // A low limit so the throttling case needs few attempts.
    w = await apiWorld({ throttle: { maxFailures: 3, maxFailuresPerClient: 1000, windowMs: 60_000 } })
  })
  afterAll(() => w.h.close())

  const tokenRequest = (fields: Record<string, string>, as: "form" | "json" = "form", ip = "10.0.0.1") =>
    w.app.inject({
      method: "POST",
      url: "/oauth/token",
      remoteAddress: ip,
      headers: { "content-type": as === "form" ? "application/x-www-form-urlencoded" : "application/json" },
      payload: as === "form" ? grant(fields) : JSON.stringify(fields)
    })

  it("issues a two-hour api token named oauth, from a form or a JSON body, never cached", async () => {
    for (const as of ["form", "json"] as const) {
      const response = await tokenRequest({ grant_type: "password", username: "owner", password: passwordOf("owner") }, as)
      const body = expectObject(response, 200)
      expect(Object.keys(body).sort()).toEqual(["access_token", "created_at", "expires_in", "scope", "token_type"])
      expect(body).toMatchObject({ token_type: "Bearer", expires_in: 7200, scope: "api" })
      expect(response.headers["cache-control"]).toBe("no-store")
      const self = expectObject(await call(w.app, "GET", "/api/v4/personal_access_tokens/self", { token: text(body, "access_token") }), 200)
      expect(self).toMatchObject({ name: "oauth", scopes: ["api"], user_id: w.owner.id, active: true })
      expect(self).not.toHaveProperty("token")
    }
  })

  it("records the token's creation as the signed-in user's", async () => {
    const body = expectObject(await tokenRequest({ grant_type: "password", username: "guest", password: passwordOf("guest") }), 200)
    const self = expectObject(await call(w.app, "GET", "/api/v4/personal_access_tokens/self", { token: text(body, "access_token") }), 200)
    expect(await actorsOf(w.h, `token-${num(self, "id")}`)).toEqual([`user:${w.guest.id}`, `pat:${num(self, "id")}`])
  })

  it("refuses other grant types and names missing parameters", async () => {
    expectError(await tokenRequest({ grant_type: "client_credentials" }), 400, {
      error: "unsupported_grant_type",
      error_description: "The authorization grant type is not supported by the authorization server."
    })
    expectError(await tokenRequest({ username: "owner", password: "x" }), 400, { error: "invalid_request", error_description: "grant_type is missing" })
    expectError(await tokenRequest({ grant_type: "password", username: "owner" }), 400, {
      error: "invalid_request",
      error_description: "password is missing"
    })
  })

  it("refuses a wrong password, an unknown user, a 2FA user, a blocked user and a token as the password, all alike", async () => {
    const twoFactor = await addUser(w.h, "two-factor")
    await w.h.run(changeUser(twoFactor, { _tag: "SetTwoFactor", enabled: true }))
    const blocked = await addUser(w.h, "blocked-one")
    await blockUser(w.h, blocked)
    const attempts: ReadonlyArray<readonly [string, string]> = [
      ["owner", "wrong-password"],
      ["nobody", "whatever-password"],
      ["two-factor", passwordOf("two-factor")],
      ["blocked-one", passwordOf("blocked-one")],
      ["owner", w.owner.token]
    ]
    for (const [username, password] of attempts) {
      // A different address per attempt: this case is about the answer, not the throttle.
      expectError(await tokenRequest({ grant_type: "password", username, password }, "form", `10.1.0.${username.length}`), 400, INVALID_GRANT)
    }
  })

  it("throttles repeated failures for one address and username (429 with Retry-After)", async () => {
    for (let i = 0; i < 3; i++) {
      expectError(await tokenRequest({ grant_type: "password", username: "maintainer", password: "guess" }, "form", "10.9.9.9"), 400, INVALID_GRANT)
    }
    const throttled = await tokenRequest({ grant_type: "password", username: "maintainer", password: passwordOf("maintainer") }, "form", "10.9.9.9")
    expect(throttled.statusCode).toBe(429)
    expect(Number(throttled.headers["retry-after"])).toBeGreaterThan(0)
    expect(throttled.json()).toMatchObject({ error: "invalid_grant" })
    // Another address is not held back.
    expect((await tokenRequest({ grant_type: "password", username: "maintainer", password: passwordOf("maintainer") }, "form", "10.9.9.10")).statusCode).toBe(200)
  })

  it("never echoes the password, even in a refusal", async () => {
    const response = await tokenRequest({ grant_type: "password", username: "owner", password: "distinctive-wrong-password" }, "form", "10.2.0.1")
    expect(response.statusCode).toBe(400)
    expect(response.body).not.toContain("distinctive-wrong-password")
  })
})
