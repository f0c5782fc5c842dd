import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Ref } from "effect"
import { SharedReads } from "../../../src/application/cache/SharedReads.js"

const block = (n: number) => Uint8Array.of(n)

describe("blocks read back for the clients behind a transfer's window", () => {
  it.effect("clients asking for a block at once share one read", () =>
    Effect.gen(function*() {
      const reads = new SharedReads<string>(4)
      const loads = yield* Ref.make(0)
      const gate = yield* Deferred.make<void>()
      const load = Ref.update(loads, (n) => n + 1).pipe(Effect.zipRight(Deferred.await(gate)), Effect.as(block(7)))
      const clients = yield* Effect.forEach([1, 2, 3], () => Effect.fork(reads.block(0, load)))
      yield* Deferred.succeed(gate, undefined)
      const got = yield* Effect.forEach(clients, Fiber.join)
      expect(got.map((b) => b[0])).toEqual([7, 7, 7])
      expect(yield* Ref.get(loads)).toBe(1)
    }))

  it.effect("a failed read is not kept, and only the newest blocks stay", () =>
    Effect.gen(function*() {
      const reads = new SharedReads<string>(2)
      const loads = yield* Ref.make(0)
      const counted = (n: number) => Ref.update(loads, (k) => k + 1).pipe(Effect.as(block(n)))
      expect(yield* Effect.flip(reads.block(0, Effect.fail("disk")))).toBe("disk")
      expect((yield* reads.block(0, counted(0)))[0]).toBe(0)
      yield* reads.block(1, counted(1))
      yield* reads.block(2, counted(2))
      // Block 0 was the oldest of three with room for two: read again.
      yield* reads.block(0, counted(0))
      yield* reads.block(2, counted(2))
      expect(yield* Ref.get(loads)).toBe(4)
    }))

  it.effect("a client going away mid-read leaves the read to finish for the others", () =>
    Effect.gen(function*() {
      const reads = new SharedReads<string>(2)
      const gate = yield* Deferred.make<void>()
      const first = yield* Effect.fork(reads.block(0, Deferred.await(gate).pipe(Effect.as(block(5)))))
      const second = yield* Effect.fork(reads.block(0, Effect.succeed(block(9))))
      yield* Effect.yieldNow()
      const leaving = yield* Effect.fork(Fiber.interrupt(first))
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(leaving)
      expect((yield* Fiber.join(second))[0]).toBe(5)
    }))
})
