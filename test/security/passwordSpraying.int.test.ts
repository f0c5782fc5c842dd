import { it as effectIt } from "@effect/vitest"
import { Deferred, Effect, Either, Fiber } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { defaultThrottlePolicy, SignInThrottle, signInThrottleLayer } from "../../src/application/auth/SignInThrottle.js"
import { basic, scopeFor } from "../support/registryApp.js"
import { passwordOf, tokenBody, type World, worldHarness } from "../http/world.js"

/**
 * Finding 2: failures were counted per client *and* username, so one client trying a new username each time
 * was never slowed, and each try cost a full scrypt: 32 such loops made a legitimate login take 7–35 s.
 */
describe("password spraying from one client", () => {
  let w: World
  beforeAll(async () => {
    w = await worldHarness()
  })
  afterAll(() => w.h.close())

  const signIn = (username: string, password: string, remoteAddress: string) =>
    w.app.inject({
      method: "GET",
      url: `/jwt/auth?service=dependency_proxy&scope=${scopeFor("top", "alpine")}`,
      headers: { authorization: basic(username, password) },
      remoteAddress
    })

  it("is refused (429 with Retry-After) once the client has used its failures, whatever username it tries next", async () => {
    const sprayer = "203.0.113.9"
    const limit = defaultThrottlePolicy.maxFailuresPerClient
    // The world's usernames in turn, none tried often enough to reach its own limit (unknown names would work
    // the same, each at the cost of a full-strength decoy hash).
    const names = ["olga", "guest", "reporter", "developer", "maintainer", "owner", "sub-member", "deep-member", "outsider", "root-admin"]
    for (let i = 0; i < limit; i += 1) expect((await signIn(names[i % names.length] ?? "olga", "Winter2026!", sprayer)).statusCode).toBe(401)
    const next = await signIn("guest", "Winter2026!", sprayer)
    expect(next.statusCode).toBe(429)
    expect(next.json()).toMatchObject({ errors: [{ code: "TOOMANYREQUESTS" }] })
    expect(Number(next.headers["retry-after"])).toBeGreaterThanOrEqual(1)
    // The same client with the right password waits too: the spray's budget is the client's, not the name's.
    expect((await signIn("guest", passwordOf("guest"), sprayer)).statusCode).toBe(429)
    // Everyone else signs in as before.
    expect(tokenBody(await signIn("guest", passwordOf("guest"), "198.51.100.4")).token).not.toBe("")
  })
})

describe("password verifications at once", () => {
  const client = "203.0.113.10"
  const attempt = { clientAddress: client, username: "x" }

  effectIt.effect("a client may run two at once; a third is refused at once, and others are not held back", () =>
    Effect.gen(function*() {
      const throttle = yield* SignInThrottle
      const release = yield* Deferred.make<void>()
      const held = Effect.flatMap(Deferred.await(release), () => Effect.succeed("verified"))
      const first = yield* Effect.fork(throttle.verifying(client, held))
      const second = yield* Effect.fork(throttle.verifying(client, held))
      yield* Effect.yieldNow()
      const third = yield* Effect.either(throttle.verifying(client, Effect.succeed("verified")))
      expect(Either.isLeft(third) && third.left._tag).toBe("SignInThrottled")
      expect(yield* throttle.verifying("198.51.100.5", Effect.succeed("verified"))).toBe("verified")
      yield* Deferred.succeed(release, undefined)
      expect(yield* Fiber.join(first)).toBe("verified")
      expect(yield* Fiber.join(second)).toBe("verified")
      // Finished verifications give their places back.
      expect(yield* throttle.verifying(client, Effect.succeed("again"))).toBe("again")
      yield* throttle.check(attempt)
    }).pipe(Effect.provide(signInThrottleLayer())))

  effectIt.effect("the process runs a bounded number in all, across clients", () =>
    Effect.gen(function*() {
      const throttle = yield* SignInThrottle
      const release = yield* Deferred.make<void>()
      const held = Deferred.await(release)
      const fibers = yield* Effect.forEach(
        Array.from({ length: 3 }, (_, i) => `192.0.2.${i}`),
        (address) => Effect.fork(throttle.verifying(address, held))
      )
      yield* Effect.yieldNow()
      const refused = yield* Effect.either(throttle.verifying("192.0.2.99", Effect.void))
      expect(Either.isLeft(refused)).toBe(true)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.joinAll(fibers)
      expect(Either.isRight(yield* Effect.either(throttle.verifying("192.0.2.99", Effect.void)))).toBe(true)
    }).pipe(Effect.provide(signInThrottleLayer({ maxConcurrent: 3 }))))
})
