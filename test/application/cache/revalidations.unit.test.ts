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

  it.scoped("the budget is the check's: a pull joining late waits only for what is left, and none past it", () =>
    Effect.gen(function*() {
      const checks = revalidations<string, never>(yield* Effect.scope)
      const started = yield* Ref.make(0)
      const answer = yield* Deferred.make<string>()
      const check = Ref.update(started, (n) => n + 1).pipe(Effect.zipRight(Deferred.await(answer)))
      const first = yield* Effect.fork(checks.await("t", check, BUDGET_MS))
      yield* TestClock.adjust(BUDGET_MS - 100)
      const late = yield* Effect.fork(checks.await("t", check, BUDGET_MS))
      yield* TestClock.adjust(100)
      expect(yield* Fiber.join(first)).toEqual(Option.none())
      expect(yield* Fiber.join(late)).toEqual(Option.none())
      // Past the budget, with the check still running: answered at once, and no second check.
      expect(yield* checks.await("t", check, BUDGET_MS)).toEqual(Option.none())
      expect(yield* Ref.get(started)).toBe(1)
      // Once it ends, the next pull checks again.
      yield* Deferred.succeed(answer, "late")
      yield* Effect.yieldNow()
      yield* checks.await("t", check, BUDGET_MS)
      yield* Effect.repeatN(Effect.yieldNow(), 5)
      expect(yield* Ref.get(started)).toBe(2)
    }))

  it.scoped("after a check that overran its budget, nobody waits for the next one, until one answers in time", () =>
    Effect.gen(function*() {
      const checks = revalidations<string, never>(yield* Effect.scope)
      const answer = yield* Deferred.make<string>()
      const overran = yield* Effect.fork(checks.await("t", Deferred.await(answer), BUDGET_MS))
      yield* TestClock.adjust(BUDGET_MS)
      expect(yield* Fiber.join(overran)).toEqual(Option.none())
      yield* Deferred.succeed(answer, "late")
      yield* Effect.yieldNow()
      // The next check is started, and answers at once, but this pull does not wait for it.
      const finished = yield* Deferred.make<string>()
      const quick = Effect.succeed("current").pipe(Effect.tap((value) => Deferred.succeed(finished, value)))
      expect(yield* checks.await("t", quick, BUDGET_MS)).toEqual(Option.none())
      expect(yield* Deferred.await(finished)).toBe("current")
      yield* Effect.yieldNow()
      // It answered within the budget: pulls wait for checks again.
      expect(yield* checks.await("t", Effect.succeed("current"), BUDGET_MS)).toEqual(Option.some("current"))
      // Other tags were never held back.
      expect(yield* checks.await("u", Effect.succeed("other"), BUDGET_MS)).toEqual(Option.some("other"))
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
