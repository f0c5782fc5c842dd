import { expect, layer } from "@effect/vitest"
import { Context, Effect, Either, Layer, Option, Queue, Ref, Stream } from "effect"
import { randomUUID } from "node:crypto"
import { PostgresCommitSignal } from "../../src/adapters/sql/PostgresCommitSignal.js"
import { CommitSignal } from "../../src/adapters/sql/CommitSignal.js"
import { pgLayer } from "../../src/adapters/sql/PostgresClient.js"
import * as SqlStore from "../../src/adapters/sql/SqlStore.js"
import { checkpointOf, EventStore, type LogCheckpoint, type StreamWrite, systemMetadata, VersionConflict } from "../../src/application/ports/EventStore.js"
import { ReadModels } from "../../src/application/ports/ReadModels.js"
import { migratedTestDatabase, TestDatabaseUrl } from "../support/postgres/postgresTestDatabase.js"
import { testProjectorLayer } from "../support/testProjector.js"

/** The store as `serve` has it on Postgres: its own pool, with the commit signal other processes listen to. */
const storeWithSignal = (url: string) => {
  const client = pgLayer(url)
  return SqlStore.layer.pipe(
    Layer.provide(testProjectorLayer),
    Layer.provideMerge(PostgresCommitSignal),
    Layer.provideMerge(client)
  )
}

/** Postgres's signal, counting the announcements sent on their own, after a commit rather than with it. */
const countingSignal = (separately: Ref.Ref<number>) =>
  Layer.effect(
    CommitSignal,
    Effect.map(CommitSignal, (signal) => ({ ...signal, announce: (checkpoint: LogCheckpoint) => Ref.update(separately, (n) => n + 1).pipe(Effect.zipRight(signal.announce(checkpoint))) }))
  ).pipe(Layer.provide(PostgresCommitSignal))

/** A checkpoint no append makes: sent until the listener hears it, so that its LISTEN is known to be in place. */
const READY = { transactionId: 0, position: 1 }

const created = (streamId: string): StreamWrite => ({
  streamId,
  expectedVersion: 0,
  events: [{ type: "Created", schemaVersion: 1, payload: { streamId } }]
})

layer(migratedTestDatabase, { excludeTestServices: true, timeout: "120 seconds" })("appends sharing a transaction on Postgres (ADR 0030)", (it) => {
  it.scoped("concurrent appends share transactions; a stale one gets its conflict while the others commit", () =>
    Effect.gen(function*() {
      const built = yield* Layer.build(storeWithSignal(yield* TestDatabaseUrl))
      const store = Context.get(built, EventStore)
      const models = Context.get(built, ReadModels)
      const prefix = randomUUID().slice(0, 8)
      yield* store.append([created(`${prefix}/existing`)], systemMetadata("t"), new Date())

      const streams = Array.from({ length: 31 }, (_, n) => `${prefix}/s${n}`)
      const outcomes = yield* Effect.all(
        [...streams.map((stream) => created(stream)), created(`${prefix}/existing`)].map((write) =>
          Effect.either(store.append([write], systemMetadata("t"), new Date()))
        ),
        { concurrency: "unbounded" }
      )
      const stale = outcomes.at(-1)
      expect(stale !== undefined && Either.isLeft(stale) ? stale.left : stale).toEqual(
        new VersionConflict({ streamId: `${prefix}/existing`, expectedVersion: 0, actualVersion: 1 })
      )
      const appended = outcomes.slice(0, -1).map((outcome) => Either.getOrThrow(outcome))
      for (const [index, events] of appended.entries()) {
        expect(events.map((event) => [event.streamId, event.streamVersion])).toEqual([[streams[index], 1]])
        expect(yield* store.readStream(streams[index] ?? "")).toEqual(events)
      }
      // Grouped: some appends committed in the same transaction (one commit and one flush for them).
      const transactions = new Set(appended.map((events) => events[0]?.transactionId))
      expect(transactions.size).toBeLessThan(appended.length)
      // Every member's read-model changes were folded, the stale one's not.
      expect(yield* models.get("prefix_total", prefix)).toEqual(expect.objectContaining({ _tag: "Some", value: { events: 32 } }))
      expect(yield* models.get("stream_count", `${prefix}/existing`)).toEqual(
        expect.objectContaining({ value: expect.objectContaining({ count: 1 }) })
      )
    }))

  it.scoped("a commit carries its announcement (none sent after it): another process hears each committed append once, and no refused one", () =>
    Effect.gen(function*() {
      const url = yield* TestDatabaseUrl
      // Another process's signal: its own pool and LISTEN connection.
      const listener = Context.get(yield* Layer.build(PostgresCommitSignal.pipe(Layer.provide(pgLayer(url)))), CommitSignal)
      const separately = yield* Ref.make(0)
      const client = pgLayer(url)
      const built = yield* Layer.build(
        SqlStore.layer.pipe(Layer.provide(testProjectorLayer), Layer.provide(countingSignal(separately)), Layer.provideMerge(client))
      )
      const store = Context.get(built, EventStore)
      const signal = listener
      const prefix = randomUUID().slice(0, 8)
      const heard = yield* Queue.unbounded<LogCheckpoint>()
      yield* Effect.forkScoped(Stream.runForEach(listener.heard, (checkpoint) => Queue.offer(heard, checkpoint)))
      yield* signal.announce(READY).pipe(
        Effect.zipRight(Queue.take(heard).pipe(Effect.timeoutOption("1 second"))),
        Effect.repeat({ until: (checkpoint) => Option.isSome(checkpoint) && checkpoint.value.transactionId === READY.transactionId, times: 60 })
      )
      const first = yield* store.append([created(`${prefix}/a`)], systemMetadata("t"), new Date())
      const refused = yield* Effect.flip(store.append([created(`${prefix}/a`)], systemMetadata("t"), new Date()))
      expect(refused).toBeInstanceOf(VersionConflict)
      const second = yield* store.append([created(`${prefix}/b`)], systemMetadata("t"), new Date())
      const third = yield* store.append([{ ...created(`${prefix}/a`), expectedVersion: 1 }], systemMetadata("t"), new Date())
      const next = Queue.take(heard).pipe(Effect.repeat({ until: (checkpoint) => checkpoint.transactionId !== READY.transactionId }))
      const checkpoints = yield* Effect.all([next, next, next]).pipe(Effect.timeout("30 seconds"))
      // Nothing more: the refused append announced nothing (announcements arrive in commit order, so it would be here).
      yield* signal.announce(READY)
      expect(yield* Queue.take(heard).pipe(Effect.repeat({ until: (checkpoint) => checkpoint.transactionId === READY.transactionId }), Effect.timeout("30 seconds"))).toEqual(READY)
      expect(yield* Ref.get(separately)).toBe(0)
      expect(checkpoints).toEqual([first, second, third].map((events) => checkpointOf(events[0]!)))
    }))
})
