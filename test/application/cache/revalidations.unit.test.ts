import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Ref, TestClock } from "effect"
import { revalidations } from "../../../src/application/cache/revalidations.js"

const BUDGET_MS = 1_000

describe("revalidations of cached tags", () => {
  it.scoped("concurrent pulls of a tag share one check", () =>
    Effect.gen(function*() {
      const checks = revalidations<string, never>(yield* Effect.scope)
      const started = yield* Ref.make(0)
      const answer = yield* Deferred.make<string>()
      const check = Ref.update(started, (n) => n + 1).pipe(Effect.zipRight(Deferred.await(answer)))
      const pulls = yield* Effect.fork(Effect.all([checks.await("t", check, BUDGET_MS), checks.await("t", check, BUDGET_MS)], { concurrency: "unbounded" }))
      yield* TestClock.adjust(10)
      yield* Deferred.succeed(answer, "current")
      expect(yield* Fiber.join(pulls)).toEqual([Option.some("current"), Option.some("current")])
      expect(yield* Ref.get(started)).toBe(1)
    }))

  it.scoped("past the budget the pull goes on without it, and the check still finishes in the background", () =>
    Effect.gen(function*() {
      const checks = revalidations<string, never>(yield* Effect.scope)
      const answer = yield* Deferred.make<string>()
      const finished = yield* Deferred.make<string>()
      const check = Deferred.await(answer).pipe(Effect.tap((value) => Deferred.succeed(finished, value)))
      const pull = yield* Effect.fork(checks.await("t", check, BUDGET_MS))
      yield* TestClock.adjust(BUDGET_MS)
      expect(yield* Fiber.join(pull)).toEqual(Option.none())
      yield* Deferred.succeed(answer, "refreshed")
      expect(yield* Deferred.await(finished)).toBe("refreshed")
    }))

  it.scoped("a check older than the budget is not joined: a new pull starts its own", () =>
    Effect.gen(function*() {
      const checks = revalidations<string, never>(yield* Effect.scope)
      const started = yield* Ref.make(0)
      const check = Ref.updateAndGet(started, (n) => n + 1).pipe(Effect.flatMap((n) => (n === 1 ? Effect.never : Effect.succeed("second"))))
      const hung = yield* Effect.fork(checks.await("t", check, BUDGET_MS))
      yield* TestClock.adjust(BUDGET_MS - 1)
      const joining = yield* Effect.fork(checks.await("t", check, BUDGET_MS))
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(hung)).toEqual(Option.none())
      expect(yield* Ref.get(started)).toBe(1)
      const fresh = yield* checks.await("t", check, BUDGET_MS)
      expect(fresh).toEqual(Option.some("second"))
      expect(yield* Ref.get(started)).toBe(2)
      yield* TestClock.adjust(BUDGET_MS)
      expect(yield* Fiber.join(joining)).toEqual(Option.none())
    }))

  it.scoped("a finished check is not reused: the next pull asks again", () =>
    Effect.gen(function*() {
      const checks = revalidations<number, never>(yield* Effect.scope)
      const started = yield* Ref.make(0)
      const check = Ref.updateAndGet(started, (n) => n + 1)
      expect(yield* checks.await("t", check, BUDGET_MS)).toEqual(Option.some(1))
      expect(yield* checks.await("t", check, BUDGET_MS)).toEqual(Option.some(2))
    }))
})
