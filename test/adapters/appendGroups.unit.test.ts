import { describe, expect, it } from "@effect/vitest"
import { Data, Deferred, Effect, Either, Exit, Fiber, Ref, Scope } from "effect"
import { appendGroups, type GroupRunners } from "../../src/adapters/sql/appendGroups.js"
import type { AppendRequest, MemberOutcome } from "../../src/adapters/sql/appendWrites.js"
import { ConcurrentAppend } from "../../src/adapters/sql/appendWrites.js"
import { type RecordedEvent, systemMetadata, VersionConflict } from "../../src/application/ports/EventStore.js"

class StoreDown extends Data.TaggedError("StoreDown")<{}> {}

const request = (streamId: string): AppendRequest => ({
  writes: [{ streamId, expectedVersion: 0, events: [{ type: "Created", schemaVersion: 1, payload: {} }] }],
  metadata: systemMetadata("test"),
  recordedAt: new Date(0)
})

/** What a runner records for a request: one event naming its stream and who ran it. */
const recorded = (member: AppendRequest, by: string): ReadonlyArray<RecordedEvent> =>
  member.writes.map((write) => ({
    globalPosition: 1,
    transactionId: 1,
    streamId: write.streamId,
    streamVersion: 1,
    type: by,
    schemaVersion: 1,
    payload: {},
    metadata: member.metadata,
    recordedAt: member.recordedAt,
    prevHash: "",
    hash: ""
  }))

const streamOf = (member: AppendRequest): string => member.writes[0]?.streamId ?? ""

/** Waits until every fiber is suspended (waiting for its outcome, so its append is queued), with a deadline. */
const allWaiting = (fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>) =>
  Effect.gen(function*() {
    for (let turn = 0; turn < 10_000; turn++) {
      const statuses = yield* Effect.forEach(fibers, (fiber) => fiber.status)
      if (statuses.every((status) => status._tag === "Suspended")) return
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage("the appends never all waited")
  })

/**
 * Runners whose first call (alone) waits for `gate`, so that what arrives meanwhile queues; `together` answers
 * with `answer` and records the group sizes it was given.
 */
const gatedRunners = (
  gate: Deferred.Deferred<void>,
  sizes: Ref.Ref<ReadonlyArray<number>>,
  answer: (members: ReadonlyArray<AppendRequest>) => Effect.Effect<ReadonlyArray<MemberOutcome>, StoreDown | ConcurrentAppend>
): GroupRunners<StoreDown> => ({
  alone: (member) => Deferred.await(gate).pipe(Effect.as(recorded(member, "alone"))),
  together: (members) => Ref.update(sizes, (s) => [...s, members.length]).pipe(Effect.zipRight(answer(members)))
})

/** One append held in flight, then `streams` appended while it is: their outcomes once the gate opens. */
const heldThenQueued = (
  streams: ReadonlyArray<string>,
  answer: (members: ReadonlyArray<AppendRequest>) => Effect.Effect<ReadonlyArray<MemberOutcome>, StoreDown | ConcurrentAppend>,
  runAlone?: (member: AppendRequest) => Effect.Effect<ReadonlyArray<RecordedEvent>, StoreDown | VersionConflict | ConcurrentAppend>
) =>
  Effect.gen(function*() {
    const gate = yield* Deferred.make<void>()
    const sizes = yield* Ref.make<ReadonlyArray<number>>([])
    const gated = gatedRunners(gate, sizes, answer)
    let first = true
    const runners: GroupRunners<StoreDown> = {
      together: gated.together,
      alone: (member) => {
        if (first) {
          first = false
          return gated.alone(member)
        }
        return runAlone === undefined ? Effect.succeed(recorded(member, "alone")) : runAlone(member)
      }
    }
    const append = yield* appendGroups(runners, { groups: 1, members: 64 })
    const held = yield* Effect.fork(append(request("held")))
    yield* allWaiting([held])
    const queued = yield* Effect.forEach(streams, (stream) => Effect.fork(Effect.either(append(request(stream)))))
    yield* allWaiting(queued)
    yield* Deferred.succeed(gate, undefined)
    expect((yield* Fiber.join(held)).map((event) => event.type)).toEqual(["alone"])
    const outcomes = yield* Effect.forEach(queued, Fiber.join)
    return { outcomes, sizes: yield* Ref.get(sizes) }
  })

const types = (outcome: Either.Either<ReadonlyArray<RecordedEvent>, unknown>) =>
  Either.match(outcome, { onLeft: (error) => error, onRight: (events) => events.map((event) => `${event.streamId}:${event.type}`) })

describe("appendGroups (ADR 0030)", () => {
  it.scoped("appends that arrive while one is in flight share the next transaction, each with its own outcome", () =>
    Effect.gen(function*() {
      const conflict = new VersionConflict({ streamId: "c", expectedVersion: 0, actualVersion: 3 })
      const { outcomes, sizes } = yield* heldThenQueued(["a", "b", "c", "d"], (members) =>
        Effect.succeed(members.map((member) => streamOf(member) === "c" ? Either.left(conflict) : Either.right(recorded(member, "together")))))
      expect(sizes).toEqual([4])
      expect(outcomes.map(types)).toEqual([["a:together"], ["b:together"], conflict, ["d:together"]])
    }))

  it.scoped("a shared transaction that lost a race runs each member again alone, so only the moved stream's member fails", () =>
    Effect.gen(function*() {
      const conflict = new VersionConflict({ streamId: "b", expectedVersion: 0, actualVersion: 1 })
      const { outcomes, sizes } = yield* heldThenQueued(
        ["a", "b", "c"],
        (members) => Effect.fail(new ConcurrentAppend({ writes: members.flatMap((member) => member.writes) })),
        (member) => streamOf(member) === "b" ? Effect.fail(conflict) : Effect.succeed(recorded(member, "again"))
      )
      expect(sizes).toEqual([3])
      expect(outcomes.map(types)).toEqual([["a:again"], conflict, ["c:again"]])
    }))

  it.scoped("any other failure of a shared transaction is every member's", () =>
    Effect.gen(function*() {
      const { outcomes } = yield* heldThenQueued(["a", "b"], () => Effect.fail(new StoreDown()))
      expect(outcomes.map(types)).toEqual([new StoreDown(), new StoreDown()])
    }))

  it.effect("closing the scope finishes the append in flight and interrupts the queued ones, leaving no caller waiting", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const gate = yield* Deferred.make<void>()
      const sizes = yield* Ref.make<ReadonlyArray<number>>([])
      const append = yield* Scope.extend(
        appendGroups(gatedRunners(gate, sizes, () => Effect.die("not reached")), { groups: 1, members: 64 }),
        scope
      )
      const held = yield* Effect.fork(append(request("held")))
      yield* allWaiting([held])
      const queued = yield* Effect.fork(append(request("queued")))
      yield* allWaiting([queued])
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(closing)
      expect(Exit.isSuccess(yield* Fiber.await(held))).toBe(true)
      const queuedExit = yield* Fiber.await(queued)
      expect(Exit.isInterrupted(queuedExit)).toBe(true)
      expect(yield* Ref.get(sizes)).toEqual([])
    }))
})
