import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Ref, TestClock } from "effect"
import { cacheKey, expiresAt, makeTokenCache } from "../../../src/adapters/upstream/tokenCache.js"

const NOW = Date.parse("2025-06-01T12:00:00Z")

describe("token expiry", () => {
  it("uses expires_in less a 10 s margin, 60 s when absent", () => {
    expect(expiresAt({ expiresIn: 300, issuedAt: undefined }, NOW)).toBe(NOW + 290_000)
    expect(expiresAt({ expiresIn: undefined, issuedAt: undefined }, NOW)).toBe(NOW + 50_000)
  })

  it("counts from issued_at, but never from the future", () => {
    expect(expiresAt({ expiresIn: 300, issuedAt: new Date(NOW - 100_000).toISOString() }, NOW)).toBe(NOW + 190_000)
    expect(expiresAt({ expiresIn: 300, issuedAt: new Date(NOW + 100_000).toISOString() }, NOW)).toBe(NOW + 290_000)
    expect(expiresAt({ expiresIn: 300, issuedAt: "yesterday" }, NOW)).toBe(NOW + 290_000)
  })

  it("keeps at least half of a short lifetime", () => {
    expect(expiresAt({ expiresIn: 4, issuedAt: undefined }, NOW)).toBe(NOW + 2_000)
  })
})

describe("cache keys", () => {
  it("separate groups, credentials and repositories, and never hold the secret", () => {
    const anonymous = cacheKey({ groupId: 1, credentials: null }, "library/alpine")
    const alice = cacheKey({ groupId: 1, credentials: { identity: "alice", secret: "s3cret-value" } }, "library/alpine")
    const keys = new Set([
      anonymous,
      alice,
      cacheKey({ groupId: 2, credentials: { identity: "alice", secret: "s3cret-value" } }, "library/alpine"),
      cacheKey({ groupId: 1, credentials: { identity: "alice", secret: "other" } }, "library/alpine"),
      cacheKey({ groupId: 1, credentials: null }, "library/node")
    ])
    expect(keys.size).toBe(5)
    expect(alice).not.toContain("s3cret-value")
  })
})

describe("the token cache", () => {
  const issuing = (count: Ref.Ref<number>, lifetimeMs: number) =>
    Effect.gen(function*() {
      const n = yield* Ref.updateAndGet(count, (c) => c + 1)
      yield* Effect.sleep(10)
      return { token: `t${n}`, expiresAtMs: lifetimeMs }
    })

  it.scoped("shares one fetch among concurrent misses and caches until expiry", () =>
    Effect.gen(function*() {
      const cache = yield* makeTokenCache<never>()
      const count = yield* Ref.make(0)
      const fetch = issuing(count, 60_000)
      const fibers = yield* Effect.forEach([1, 2, 3, 4], () => Effect.fork(cache.obtain("k", fetch)))
      yield* TestClock.adjust(10)
      expect(yield* Effect.forEach(fibers, Fiber.join)).toEqual(["t1", "t1", "t1", "t1"])
      expect(yield* cache.current("k")).toEqual(Option.some("t1"))
      expect(yield* cache.obtain("k", fetch)).toBe("t1")
      expect(yield* Ref.get(count)).toBe(1)

      yield* TestClock.adjust(60_000)
      expect(yield* cache.current("k")).toEqual(Option.none())
      const refetch = yield* Effect.fork(cache.obtain("k", issuing(count, 200_000)))
      yield* TestClock.adjust(10)
      expect(yield* Fiber.join(refetch)).toBe("t2")
    }))

  it.scoped("forgets a failed fetch, so the next caller tries again", () =>
    Effect.gen(function*() {
      const cache = yield* makeTokenCache<string>()
      const failure = yield* Effect.flip(cache.obtain("k", Effect.fail("token endpoint down")))
      expect(failure).toBe("token endpoint down")
      expect(yield* cache.current("k")).toEqual(Option.none())
      expect(yield* cache.obtain("k", Effect.succeed({ token: "t", expiresAtMs: 60_000 }))).toBe("t")
    }))

  it.scoped("invalidates only the refused token", () =>
    Effect.gen(function*() {
      const cache = yield* makeTokenCache<never>()
      yield* cache.obtain("k", Effect.succeed({ token: "new", expiresAtMs: 60_000 }))
      yield* cache.invalidate("k", "old")
      expect(yield* cache.current("k")).toEqual(Option.some("new"))
      yield* cache.invalidate("k", "new")
      expect(yield* cache.current("k")).toEqual(Option.none())
    }))

  it.scoped("does not cancel a shared fetch when the caller that started it goes away", () =>
    Effect.gen(function*() {
      const cache = yield* makeTokenCache<never>()
      const gate = yield* Deferred.make<void>()
      const fetch = Deferred.await(gate).pipe(Effect.as({ token: "t", expiresAtMs: 60_000 }))
      const starter = yield* Effect.fork(cache.obtain("k", fetch))
      yield* Effect.yieldNow()
      const waiter = yield* Effect.fork(cache.obtain("k", fetch))
      yield* Fiber.interrupt(starter)
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(waiter)).toBe("t")
    }))
})
