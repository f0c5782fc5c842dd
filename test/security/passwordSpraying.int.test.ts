import { it as effectIt } from "@effect/vitest"
import { Deferred, Effect, Either, Fiber, Option, TestClock } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { defaultThrottlePolicy, SignInThrottle, signInThrottleLayer } from "../../src/application/auth/SignInThrottle.js"
import { basic, scopeFor } from "../support/registryApp.js"
import { passwordOf, tokenBody, type World, worldHarness } from "../support/worlds/httpWorld.js"

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
  const client = { clientAddress: "203.0.113.10", username: "olga" }
  const from = (clientAddress: string) => ({ clientAddress, username: "olga" })

  effectIt.effect("a client runs two at once; more wait their turn, up to a limit, and others are not held back", () =>
    Effect.gen(function*() {
      const throttle = yield* SignInThrottle
      const release = yield* Deferred.make<void>()
      const held = Effect.as(Deferred.await(release), "verified")
      const first = yield* Effect.fork(throttle.verifying(client, held))
      const second = yield* Effect.fork(throttle.verifying(client, held))
      const third = yield* Effect.fork(Effect.either(throttle.verifying(client, Effect.succeed("verified"))))
      yield* Effect.yieldNow()
      // Another client is not behind this one's queue.
      expect(yield* throttle.verifying(from("198.51.100.5"), Effect.succeed("verified"))).toBe("verified")
      // The third waited as long as it may, and is refused: a sign-in to retry in a second.
      yield* TestClock.adjust(defaultThrottlePolicy.maxWaitMs)
      const refused = yield* Fiber.join(third)
      expect(Either.isLeft(refused) && refused.left._tag).toBe("SignInThrottled")
      // A fourth waits, and runs once a place is free.
      const fourth = yield* Effect.fork(throttle.verifying(client, Effect.succeed("fourth")))
      yield* Deferred.succeed(release, undefined)
      expect(yield* Fiber.join(first)).toBe("verified")
      expect(yield* Fiber.join(second)).toBe("verified")
      expect(yield* Fiber.join(fourth)).toBe("fourth")
    }).pipe(Effect.provide(signInThrottleLayer())))

  effectIt.effect("the process runs a bounded number in all, across clients; the next waits for a place", () =>
    Effect.gen(function*() {
      const throttle = yield* SignInThrottle
      const release = yield* Deferred.make<void>()
      const fibers = yield* Effect.forEach(
        Array.from({ length: 3 }, (_, i) => `192.0.2.${i}`),
        (address) => Effect.fork(throttle.verifying(from(address), Deferred.await(release)))
      )
      const waiting = yield* Effect.fork(throttle.verifying(from("192.0.2.99"), Effect.succeed("ran")))
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(waiting))).toBe(true)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.joinAll(fibers)
      expect(yield* Fiber.join(waiting)).toBe("ran")
    }).pipe(Effect.provide(signInThrottleLayer({ maxConcurrent: 3 }))))

  effectIt.effect("an attempt that waited its turn is checked again then: failures counted meanwhile refuse it before it verifies", () =>
    Effect.gen(function*() {
      const throttle = yield* SignInThrottle
      const release = yield* Deferred.make<void>()
      const verified: Array<string> = []
      // Guesses sent at once: all pass the first check, two verify while the rest wait in the client's lane.
      const guess = (n: number) =>
        throttle.check(client).pipe(
          Effect.zipRight(throttle.verifying(client, Deferred.await(release).pipe(Effect.zipRight(Effect.sync(() => verified.push(`guess ${n}`)))))),
          Effect.zipRight(throttle.failed(client)),
          Effect.either
        )
      const guesses = yield* Effect.forEach(Array.from({ length: 30 }, (_, n) => n), (n) => Effect.fork(guess(n)))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(release, undefined)
      const outcomes = yield* Fiber.joinAll(guesses)
      // The limit's worth verified, give or take the two a lane runs at once; the others refused with 429.
      expect(verified.length).toBeGreaterThanOrEqual(defaultThrottlePolicy.maxFailures)
      expect(verified.length).toBeLessThanOrEqual(defaultThrottlePolicy.maxFailures + 2)
      const refused = outcomes.filter((outcome) => Either.isLeft(outcome) && outcome.left._tag === "SignInThrottled")
      expect(refused).toHaveLength(30 - verified.length)
    }).pipe(Effect.provide(signInThrottleLayer())))
})
