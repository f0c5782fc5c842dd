import { describe, expect, it } from "@effect/vitest"
import { Cause, Data, Deferred, Effect, Exit, Fiber, Option } from "effect"
import { PART_EVENTS, partsOf, writeInParts } from "../../src/adapters/sql/writeInParts.js"

class Refused extends Data.TaggedError("Refused")<{ readonly part: number }> {}

/**
 * A connection that records what happens on it: each part's statement starting and ending (with its `more`),
 * whether another was in flight, and whether a statement was running when the next part was computed. A part's
 * statement ends when its gate opens (open by default after a turn of the scheduler).
 */
const connection = (options: { readonly refuse?: number; readonly gates?: ReadonlyMap<number, Deferred.Deferred<void>> } = {}) => {
  const log: Array<string> = []
  let inFlight = 0
  let overlapping = 0
  const write = (part: number, more: boolean): Effect.Effect<void, Refused> =>
    Effect.gen(function*() {
      inFlight += 1
      if (inFlight > 1) overlapping += 1
      log.push(`start ${part} more=${more}`)
      const gate = options.gates?.get(part)
      if (gate !== undefined) yield* Deferred.await(gate)
      else yield* Effect.yieldNow()
      inFlight -= 1
      log.push(`end ${part}`)
      if (options.refuse === part) return yield* new Refused({ part })
    })
  const rowsOf = (part: number): number => {
    log.push(`compute ${part}${inFlight > 0 ? " while a part is written" : ""}`)
    return part
  }
  return { log, write, rowsOf, overlapping: () => overlapping }
}

describe("step two in parts (ADR 0031)", () => {
  it("cuts events into parts of PART_EVENTS, in order", () => {
    const events = Array.from({ length: PART_EVENTS * 2 + 1 }, (_, n) => n)
    expect(partsOf(events).map((part) => [part[0], part.length])).toEqual([[0, PART_EVENTS], [PART_EVENTS, PART_EVENTS], [PART_EVENTS * 2, 1]])
    expect(partsOf([])).toEqual([])
  })

  it.effect("writes every part in order, one at a time, computing the next while one is written; only the last has no more", () =>
    Effect.gen(function*() {
      const c = connection()
      yield* writeInParts([0, 1, 2], c.rowsOf, c.write)
      expect(c.log).toEqual([
        "compute 0",
        "start 0 more=true",
        "compute 1 while a part is written",
        "end 0",
        "start 1 more=true",
        "compute 2 while a part is written",
        "end 1",
        "start 2 more=false",
        "end 2"
      ])
      expect(c.overlapping()).toBe(0)
    }))

  it.effect("one part is one write, with no more", () =>
    Effect.gen(function*() {
      const c = connection()
      yield* writeInParts([0], c.rowsOf, c.write)
      expect(c.log).toEqual(["compute 0", "start 0 more=false", "end 0"])
    }))

  it.effect("a refused part is the whole write's failure, and no later part is written", () =>
    Effect.gen(function*() {
      const c = connection({ refuse: 1 })
      const exit = yield* Effect.exit(writeInParts([0, 1, 2, 3], c.rowsOf, c.write))
      expect(exit).toEqual(Exit.fail(new Refused({ part: 1 })))
      expect(c.log.filter((line) => line.startsWith("start"))).toEqual(["start 0 more=true", "start 1 more=true"])
    }))

  it.effect("a defect computing a part comes after the part already sent has ended, and nothing after it is written", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const c = connection({ gates: new Map([[0, gate]]) })
      const rowsOf = (part: number): number => {
        if (part === 1) throw new Error("the projector touched a row it did not name")
        return c.rowsOf(part)
      }
      const fiber = yield* Effect.fork(writeInParts([0, 1, 2], rowsOf, c.write))
      yield* waitFor(() => c.log.includes("start 0 more=true"))
      // Part 0 is still on the server: the write must not end before it does.
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* Deferred.succeed(gate, undefined)
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(c.log).toEqual(["compute 0", "start 0 more=true", "end 0"])
    }))

  it.effect("interrupted while a part is written: the part runs to its end before the interruption completes", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const c = connection({ gates: new Map([[0, gate]]) })
      const fiber = yield* Effect.fork(writeInParts([0, 1, 2], c.rowsOf, c.write))
      yield* waitFor(() => c.log.includes("compute 1 while a part is written"))
      const interrupting = yield* Effect.fork(Fiber.interrupt(fiber))
      yield* turns(50)
      expect(Option.isNone(yield* Fiber.poll(interrupting))).toBe(true)
      yield* Deferred.succeed(gate, undefined)
      const exit = yield* Fiber.join(interrupting)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(c.log).toEqual(["compute 0", "start 0 more=true", "compute 1 while a part is written", "end 0"])
    }))
})

/** Lets other fibers run until `condition` holds; a defect if it does not within 10,000 turns of the scheduler. */
const waitFor = (condition: () => boolean) =>
  Effect.gen(function*() {
    for (let turn = 0; turn < 10_000; turn++) {
      if (condition()) return
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage("condition not met within 10,000 turns")
  })

/** Lets other fibers run for `count` turns of the scheduler: room for something that must not happen to happen. */
const turns = (count: number) => Effect.forEach(Array.from({ length: count }), () => Effect.yieldNow(), { discard: true })
