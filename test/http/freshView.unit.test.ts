import { expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Ref, TestClock } from "effect"
import { visibleIn } from "../../src/adapters/http/api/freshView.js"
import { EventStoreUnavailable } from "../../src/application/ports/EventStore.js"

/**
 * What a request that has just created something answers while the view is held back by an older transaction
 * still open (readers see no position past it): it waits for the view rather than answering 503 for a write
 * that committed, which would lose a token's plaintext, shown only once.
 */

/** A view that shows the thing from its `shownFrom`th look on (never, when null). */
const viewShowingFrom = (shownFrom: number | null) =>
  Effect.map(Ref.make(0), (looks) => ({
    looks,
    view: Ref.updateAndGet(looks, (n) => n + 1).pipe(
      Effect.map((n) => (shownFrom !== null && n >= shownFrom ? Option.some("token 7") : Option.none<string>()))
    )
  }))

it.effect("waits for the view to show what was just created, and answers it", () =>
  Effect.gen(function*() {
    const { looks, view } = yield* viewShowingFrom(4)
    const fiber = yield* Effect.fork(visibleIn(view, (shown) => shown, "token 7"))
    yield* TestClock.adjust("1 second")
    expect(yield* Fiber.join(fiber)).toBe("token 7")
    expect(yield* Ref.get(looks)).toBe(4)
  }))

it.effect("gives up after five seconds with a 503's error, the write committed but not visible", () =>
  Effect.gen(function*() {
    const { view } = yield* viewShowingFrom(null)
    const fiber = yield* Effect.fork(visibleIn(view, (shown) => shown, "token 7"))
    yield* TestClock.adjust("4 seconds")
    expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
    yield* TestClock.adjust("2 seconds")
    const exit = yield* Fiber.await(fiber)
    expect(exit).toStrictEqual(Exit.fail(new EventStoreUnavailable({ message: "token 7 is committed but not yet visible; an older transaction is still open" })))
  }))

it.effect("answers a failure of the view itself at once, without waiting", () =>
  Effect.gen(function*() {
    const down = new EventStoreUnavailable({ message: "readAll: connection refused" })
    const looks = yield* Ref.make(0)
    const view = Ref.update(looks, (n) => n + 1).pipe(Effect.zipRight(Effect.fail(down)))
    const exit = yield* Effect.exit(visibleIn(view, (shown: Option.Option<string>) => shown, "token 7"))
    expect(exit).toStrictEqual(Exit.fail(down))
    expect(yield* Ref.get(looks)).toBe(1)
  }))
