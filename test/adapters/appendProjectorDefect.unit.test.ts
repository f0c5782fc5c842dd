import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit } from "effect"
import type { AppendSteps } from "../../src/adapters/sql/appendSteps.js"
import { appendMembersInTransaction, type AppendRequest } from "../../src/adapters/sql/appendWrites.js"
import { systemMetadata } from "../../src/application/ports/EventStore.js"
import type { ProjectorShape } from "../../src/application/ports/Projector.js"

const member = (streamId: string, expectedVersion: number): AppendRequest => ({
  writes: [{ streamId, expectedVersion, events: [{ type: "Touched", schemaVersion: 1, payload: {} }] }],
  metadata: systemMetadata("test"),
  recordedAt: new Date(0)
})

/** Step one as Postgres would answer it: `stale` is already at version 2; step two records what it was given. */
const steps = (written: Array<string>): AppendSteps => ({
  prepare: (request) =>
    Effect.succeed({
      transactionId: 7,
      positions: Array.from({ length: request.eventCount }, (_, n) => n + 1),
      heads: new Map([["stale", { version: 2, hash: "h2" }]]),
      docs: []
    }),
  write: (events, upserts) =>
    Effect.sync(() => {
      written.push(...events.map((event) => event.stream_id), ...upserts.map((row) => `${row.kind}/${row.id}`))
    })
})

/** Names the row of the event's own stream at first look; once placed, the event of `fresh` touches `stale`'s row. */
const straying: ProjectorShape = (event) => {
  const id = event.globalPosition > 0 && event.streamId === "fresh" ? "stale" : event.streamId
  return [{ kind: "row", id, update: () => ({ by: event.streamId }) }]
}

describe("an append's projector defects (ADR 0026, 0030)", () => {
  it.effect("a placed event touching a row only a refused member named is a defect: nothing is written", () =>
    Effect.gen(function*() {
      const written: Array<string> = []
      const exit = yield* Effect.exit(appendMembersInTransaction(steps(written), straying, [member("stale", 1), member("fresh", 0)]))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(written).toEqual([])
    }))

  it.effect("the same members with a projector that keeps to its first look: the refused one gets its conflict, the other commits", () =>
    Effect.gen(function*() {
      const written: Array<string> = []
      const faithful: ProjectorShape = (event) => [{ kind: "row", id: event.streamId, update: () => ({ by: event.streamId }) }]
      const outcomes = yield* appendMembersInTransaction(steps(written), faithful, [member("stale", 1), member("fresh", 0)])
      expect(outcomes.map((outcome) => Either.isRight(outcome))).toEqual([false, true])
      expect(written).toEqual(["fresh", "row/fresh"])
    }))
})
