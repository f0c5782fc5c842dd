import type { LightMyRequestResponse } from "fastify"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { ACCESS_DENIED_MESSAGE } from "../../src/adapters/http/registry/registryErrors.js"
import { basic, scopeFor } from "../support/registryApp.js"
import { expectOciError, passwordOf, tokenBody, type World, worldHarness } from "../support/worlds/httpWorld.js"

/**
 * Failed Basic sign-ins are counted per client address and username; with three allowed, the fourth attempt is
 * refused whatever it carries. Each test uses its own username (or address) so the counts do not mix.
 */
describe("sign-in throttling at /jwt/auth", () => {
  let w: World
  beforeAll(async () => {
    w = await worldHarness({ throttle: { maxFailures: 3, maxFailuresPerClient: 1000, windowMs: 60_000 } })
  })
  afterAll(() => w.h.close())

  const signIn = (username: string, secret: string, remoteAddress = "127.0.0.1") =>
    w.app.inject({
      method: "GET",
      url: `/jwt/auth?service=dependency_proxy&scope=${scopeFor("top", "alpine")}`,
      headers: { authorization: basic(username, secret) },
      remoteAddress
    })

  const failThreeTimes = async (username: string, remoteAddress = "127.0.0.1") => {
    for (let i = 0; i < 3; i += 1) {
      expectOciError(await signIn(username, "wrong-password", remoteAddress), 401, "UNAUTHORIZED", ACCESS_DENIED_MESSAGE)
    }
  }

  const expectThrottled = (response: LightMyRequestResponse) => {
    expectOciError(response, 429, "TOOMANYREQUESTS")
    const retryAfter = Number(response.headers["retry-after"])
    expect(Number.isInteger(retryAfter)).toBe(true)
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
  }

  it("after three wrong passwords, the fourth attempt is 429 with retry-after, even with the right password", async () => {
    await failThreeTimes("reporter")
    expectThrottled(await signIn("reporter", passwordOf("reporter")))
    // Further wrong guesses are refused the same way, not answered 401: a guesser learns nothing more.
    expectThrottled(await signIn("reporter", "another-guess"))
  })

  it("the username is counted case-insensitively, as usernames are", async () => {
    await failThreeTimes("developer")
    expectThrottled(await signIn("DEVELOPER", passwordOf("developer")))
  })

  it("a token sent with the throttled username is refused too: the count is per username, not per password", async () => {
    await failThreeTimes("maintainer")
    const pat = await w.h.run(createPersonalAccessToken({ userId: w.users.maintainer, name: "p", scopes: ["read_registry"], expiresAt: null }))
    expectThrottled(await signIn("maintainer", pat.token))
    // The same token with another username is another key, and is not held back.
    expect(tokenBody(await signIn("someone-else", pat.token)).token).not.toBe("")
  })

  it("another username from the same address is unaffected", async () => {
    await failThreeTimes("guest")
    expectThrottled(await signIn("guest", passwordOf("guest")))
    expect(tokenBody(await signIn("owner", passwordOf("owner"))).token).not.toBe("")
  })

  it("the same username from another address is unaffected", async () => {
    await failThreeTimes("olga", "10.0.0.7")
    expectThrottled(await signIn("olga", passwordOf("olga"), "10.0.0.7"))
    expect(tokenBody(await signIn("olga", passwordOf("olga"), "127.0.0.1")).token).not.toBe("")
  })

  it("fewer failures than the limit do not hold back the right password", async () => {
    for (let i = 0; i < 2; i += 1) expectOciError(await signIn("sub-member", "wrong-password"), 401, "UNAUTHORIZED", ACCESS_DENIED_MESSAGE)
    expect(tokenBody(await signIn("sub-member", passwordOf("sub-member"))).token).not.toBe("")
  })
})
