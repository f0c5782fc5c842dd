import { expect, layer } from "@effect/vitest"
import { Array as Arr, Effect, Either, Layer, Option } from "effect"
import { randomUUID } from "node:crypto"
import { eventHash } from "../../src/application/eventHash.js"
import { PART_EVENTS } from "../../src/adapters/sql/writeInParts.js"
import { compareText } from "../../src/application/projection.js"
import {
  checkpointOf,
  compareCheckpoints,
  EventStore,
  type EventMetadata,
  type LogCheckpoint,
  type NewEvent,
  type RecordedEvent,
  startOfLog,
  VersionConflict
} from "../../src/application/ports/EventStore.js"
import type { Projector } from "../../src/application/ports/Projector.js"
import { ReadModels } from "../../src/application/ports/ReadModels.js"
import { prefixOf, testProjectorLayer } from "../support/testProjector.js"

/** Each test writes under its own prefix, so tests can share one store (and one database). */
const freshPrefix = (): string => randomUUID().slice(0, 8)

const metadata: EventMetadata = {
  actor: "user:1",
  requestId: "req-1",
  clientIp: "203.0.113.7",
  userAgent: "contract-test/1.0"
}

const recordedAt = new Date("2024-05-06T07:08:09.123Z")

const event = (type: string, payload: NewEvent["payload"] = {}): NewEvent => ({ type, schemaVersion: 1, payload })

const nestedPayload: NewEvent["payload"] = {
  name: "zeta ünïcödé ✓",
  // What an array literal or an SQL literal must escape on the way (ADR 0032): quotes, backslashes, braces, commas.
  text: "say \"hi\", {a,b} C:\\dir\nnext 'q' NULL",
  count: 3,
  ratio: 1.5,
  flag: false,
  nothing: null,
  nested: { b: [1, "two", null, { deep: [true, { z: 1, a: 2 }] }], a: {} }
}

/** Just before `event` in the log's reading order: the same transaction, the position before. */
const justBefore = (event: RecordedEvent): LogCheckpoint => ({ transactionId: event.transactionId, position: event.globalPosition - 1 })

/** All events after `after`, read in pages of `pageSize`. */
const readAllPaged = (store: EventStore["Type"], after: LogCheckpoint, pageSize: number) =>
  Effect.gen(function*() {
    const pages: Array<ReadonlyArray<RecordedEvent>> = []
    let from = after
    for (;;) {
      const page = yield* store.readAll(from, pageSize)
      const last = page[page.length - 1]
      if (last === undefined) return pages
      pages.push(page)
      from = checkpointOf(last)
    }
  })

/**
 * Registers the event-store contract for a layer providing `EventStore` and `ReadModels` (given a `Projector`;
 * the suite supplies a test projector). Every adapter must pass the same tests.
 */
export const eventStoreContract = <E>(
  name: string,
  storeLayer: Layer.Layer<EventStore | ReadModels, E, Projector>
): void =>
  layer(Layer.provide(storeLayer, testProjectorLayer), { excludeTestServices: true, timeout: "120 seconds" })(
    `${name} (event store contract)`,
    (it) => {
      it.effect("appends and reads back events with positions, versions, metadata, time and payload", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const streamId = `${freshPrefix()}/order`
          const appended = yield* store.append(
            [{ streamId, expectedVersion: 0, events: [event("Created", nestedPayload), event("Renamed", { name: "b" })] }],
            metadata,
            recordedAt
          )
          expect(appended.map((e) => e.streamVersion)).toEqual([1, 2])
          const [first, second] = appended
          expect(first).toBeDefined()
          expect(second!.globalPosition).toBeGreaterThan(first!.globalPosition)

          const read = yield* store.readStream(streamId)
          expect(read).toEqual(appended)
          expect(read[0]!.payload).toEqual(nestedPayload)
          expect(read[0]!.metadata).toEqual(metadata)
          expect(read[0]!.recordedAt.getTime()).toBe(recordedAt.getTime())
          expect(read.map((e) => e.type)).toEqual(["Created", "Renamed"])

          const all = yield* store.readAll(justBefore(first!), 2)
          expect(all).toEqual(appended)
        }))

      it.effect("knows the last checkpoint it committed, for in-memory views to catch up to", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const appended = yield* store.append(
            [{ streamId: `${freshPrefix()}/known`, expectedVersion: 0, events: [event("Created"), event("Renamed")] }],
            metadata,
            recordedAt
          )
          expect(compareCheckpoints(yield* store.lastKnownCheckpoint, checkpointOf(appended[1]!))).toBeGreaterThanOrEqual(0)
          const conflict = yield* Effect.either(
            store.append([{ streamId: appended[0]!.streamId, expectedVersion: 0, events: [event("Again")] }], metadata, recordedAt)
          )
          expect(Either.isLeft(conflict)).toBe(true)
          expect(compareCheckpoints(yield* store.lastKnownCheckpoint, checkpointOf(appended[1]!))).toBeGreaterThanOrEqual(0)
        }))

      it.effect("knows the log's committed end: at or after every event appended, and itself an event's checkpoint", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const appended = yield* store.append(
            [{ streamId: `${freshPrefix()}/end`, expectedVersion: 0, events: [event("Created"), event("Renamed")] }],
            metadata,
            recordedAt
          )
          const end = yield* store.committedEnd
          expect(compareCheckpoints(end, checkpointOf(appended[1]!))).toBeGreaterThanOrEqual(0)
          const [atEnd] = yield* store.readAll({ transactionId: end.transactionId, position: end.position - 1 }, 1)
          expect(atEnd === undefined ? undefined : checkpointOf(atEnd)).toEqual(end)
        }))

      it.effect("reading a stream that does not exist gives no events", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          expect(yield* store.readStream(`${freshPrefix()}/nothing`)).toEqual([])
        }))

      it.effect("expected version 0 creates a stream; 0 again on the existing stream conflicts", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const streamId = `${freshPrefix()}/new`
          const created = yield* store.append([{ streamId, expectedVersion: 0, events: [event("Created")] }], metadata, recordedAt)
          expect(created.map((e) => e.streamVersion)).toEqual([1])
          const conflict = yield* store.append([{ streamId, expectedVersion: 0, events: [event("Created")] }], metadata, recordedAt)
            .pipe(Effect.flip)
          expect(conflict).toEqual(new VersionConflict({ streamId, expectedVersion: 0, actualVersion: 1 }))
        }))

      it.effect("a wrong expected version fails with VersionConflict carrying the actual version", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const streamId = `${freshPrefix()}/stale`
          yield* store.append([{ streamId, expectedVersion: 0, events: [event("A"), event("B")] }], metadata, recordedAt)
          const conflict = yield* store.append([{ streamId, expectedVersion: 5, events: [event("C")] }], metadata, recordedAt)
            .pipe(Effect.flip)
          expect(conflict._tag).toBe("VersionConflict")
          expect(conflict).toEqual(new VersionConflict({ streamId, expectedVersion: 5, actualVersion: 2 }))
          expect((yield* store.readStream(streamId)).length).toBe(2)
        }))

      it.effect("a batch whose second write conflicts appends nothing, events nor read models", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const models = yield* ReadModels
          const prefix = freshPrefix()
          const fresh = `${prefix}/fresh`
          const existing = `${prefix}/existing`
          const [seed] = yield* store.append(
            [{ streamId: existing, expectedVersion: 0, events: [event("Created")] }],
            metadata,
            recordedAt
          )
          const conflict = yield* store.append(
            [
              { streamId: fresh, expectedVersion: 0, events: [event("Created"), event("Renamed")] },
              { streamId: existing, expectedVersion: 0, events: [event("Renamed")] }
            ],
            metadata,
            recordedAt
          ).pipe(Effect.flip)
          expect(conflict).toEqual(new VersionConflict({ streamId: existing, expectedVersion: 0, actualVersion: 1 }))
          expect(yield* store.readStream(fresh)).toEqual([])
          expect((yield* store.readStream(existing)).length).toBe(1)
          expect(yield* models.get("stream_count", fresh)).toEqual(Option.none())
          expect(yield* models.get("stream_count", existing)).toEqual(
            Option.some({ count: 1, lastType: "Created", lastPosition: seed!.globalPosition })
          )
          expect(yield* models.get("prefix_total", prefix)).toEqual(Option.some({ events: 1 }))
          const later = yield* store.readAll(checkpointOf(seed!), 1_000)
          expect(later.filter((e) => e.streamId === fresh)).toEqual([])
        }))

      // Longer than the Postgres store's parts (ADR 0031): its step two then runs as several statements in one
      // transaction. A leading one-event stream puts the boundaries between a stream's two events, so rows are
      // folded across parts: one created in a part and deleted in the next, one changed in both.
      it.effect("an append of 1,199 events over 600 streams writes every event and folds rows across all of them", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const models = yield* ReadModels
          const prefix = freshPrefix()
          expect(PART_EVENTS * 2).toBeLessThan(1_199)
          const lead = `${prefix}/lead`
          const streams = Array.from({ length: 599 }, (_, n) => `${prefix}/s${n}`)
          // Event i of stream n is the (1 + 2n + i)th: stream k's two events straddle position PART_EVENTS.
          const straddling = (PART_EVENTS - 1) / 2
          const deletedAcross = streams[Math.floor(straddling)]!
          const recorded = yield* store.append(
            [
              { streamId: lead, expectedVersion: 0, events: [event("Created")] },
              ...streams.map((streamId) => ({
                streamId,
                expectedVersion: 0,
                events: [event("Created"), event(streamId === deletedAcross ? "StreamDeleted" : "Renamed")]
              }))
            ],
            metadata,
            recordedAt
          )
          expect(recorded.length).toBe(1_199)
          expect(recorded.map((e) => e.globalPosition)).toEqual([...recorded.map((e) => e.globalPosition)].sort((a, b) => a - b))
          const stored = yield* store.readAll(justBefore(recorded[0]!), 2_000)
          expect(stored.filter((e) => prefixOf(e.streamId) === prefix)).toEqual(recorded)
          expect(yield* models.get("prefix_total", prefix)).toEqual(Option.some({ events: 1_199 }))
          expect(recorded[PART_EVENTS - 1]?.streamId).toBe(deletedAcross)
          expect(recorded[PART_EVENTS]?.streamId).toBe(deletedAcross)
          expect(yield* models.get("stream_count", deletedAcross)).toEqual(Option.none())
          const changedAcross = Math.floor((PART_EVENTS * 2 - 1) / 2)
          expect(recorded[PART_EVENTS * 2 - 1]?.streamId).toBe(streams[changedAcross])
          for (const index of [0, changedAcross, 598]) {
            expect(yield* models.get("stream_count", streams[index]!)).toEqual(
              Option.some({ count: 2, lastType: "Renamed", lastPosition: recorded[index * 2 + 2]!.globalPosition })
            )
          }
        }))

      it.effect("an append of 1,200 events whose last write finds its stream taken appends nothing, events nor read models", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const models = yield* ReadModels
          const prefix = freshPrefix()
          const existing = `${prefix}/existing`
          const [seed] = yield* store.append([{ streamId: existing, expectedVersion: 0, events: [event("Created")] }], metadata, recordedAt)
          const streams = Array.from({ length: 599 }, (_, n) => `${prefix}/s${n}`)
          const conflict = yield* store.append(
            [
              ...streams.map((streamId) => ({ streamId, expectedVersion: 0, events: [event("Created"), event("Renamed")] })),
              // Last, so that on Postgres it is in the last part: refused by the unique (stream, version) key there,
              // after the parts before it were written in the same transaction.
              { streamId: existing, expectedVersion: 0, events: [event("Created"), event("Renamed")] }
            ],
            metadata,
            recordedAt
          ).pipe(Effect.flip)
          expect(conflict).toEqual(new VersionConflict({ streamId: existing, expectedVersion: 0, actualVersion: 1 }))
          const later = yield* store.readAll(checkpointOf(seed!), 2_000)
          expect(later.filter((e) => prefixOf(e.streamId) === prefix)).toEqual([])
          expect(yield* store.readStream(streams[0]!)).toEqual([])
          expect(yield* models.get("stream_count", streams[0]!)).toEqual(Option.none())
          expect(yield* models.get("prefix_total", prefix)).toEqual(Option.some({ events: 1 }))
        }))

      it.effect("hashes chain per stream: hash n = eventHash(fields of n, prevHash = hash n-1)", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const prefix = freshPrefix()
          const streamId = `${prefix}/chained`
          yield* store.append([{ streamId, expectedVersion: 0, events: [event("A", nestedPayload)] }], metadata, recordedAt)
          // Another stream in between: chains are per stream, not global.
          yield* store.append([{ streamId: `${prefix}/other`, expectedVersion: 0, events: [event("X")] }], metadata, recordedAt)
          yield* store.append(
            [{ streamId, expectedVersion: 1, events: [event("B", { n: 2 }), event("C", { list: [3, { k: "v" }] })] }],
            { ...metadata, actor: null },
            new Date(recordedAt.getTime() + 1)
          )
          const read = yield* store.readStream(streamId)
          expect(read.length).toBe(3)
          let prevHash = ""
          for (const e of read) {
            expect(e.prevHash).toBe(prevHash)
            expect(e.hash).toBe(
              eventHash({
                prevHash,
                streamId: e.streamId,
                streamVersion: e.streamVersion,
                type: e.type,
                schemaVersion: e.schemaVersion,
                payload: e.payload,
                metadata: e.metadata,
                recordedAt: e.recordedAt
              })
            )
            prevHash = e.hash
          }
        }))

      it.effect("readAll pages in reading order (transaction, then position), at most limit per page", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const prefix = freshPrefix()
          const appended: Array<RecordedEvent> = []
          for (const name of ["a", "b", "c"]) {
            appended.push(
              ...(yield* store.append(
                [{ streamId: `${prefix}/${name}`, expectedVersion: 0, events: [event("One"), event("Two")] }],
                metadata,
                recordedAt
              ))
            )
          }
          const start = justBefore(appended[0]!)
          const pages = yield* readAllPaged(store, start, 2)
          for (const page of pages) expect(page.length).toBeLessThanOrEqual(2)
          const flat = pages.flat()
          const order = flat.map(checkpointOf)
          expect(order).toEqual([...order].sort(compareCheckpoints))
          expect(new Set(flat.map((e) => e.globalPosition)).size).toBe(flat.length)
          // One append is one transaction: its events share a transaction id, later appends have later ones.
          expect(appended[0]!.transactionId).toBe(appended[1]!.transactionId)
          expect(appended[2]!.transactionId).toBeGreaterThan(appended[1]!.transactionId)
          expect(flat.filter((e) => e.streamId.startsWith(`${prefix}/`))).toEqual(appended)
          expect(yield* store.readAll(start, 1)).toEqual([appended[0]])
          expect(yield* store.readAll(checkpointOf(appended[5]!), 10)).toEqual(
            flat.filter((e) => compareCheckpoints(checkpointOf(e), checkpointOf(appended[5]!)) > 0)
          )
          expect(yield* store.readAll(start, 0)).toEqual([])
        }))

      it.effect("concurrent appends with the same expected version: exactly one wins", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const models = yield* ReadModels
          const streamId = `${freshPrefix()}/contended`
          // Warm up: a pooled store opens its connections now, so the appends below really race.
          yield* Effect.all(Arr.range(1, 8).map(() => store.readStream(streamId)), { concurrency: "unbounded" })
          const outcomes = yield* Effect.all(
            Arr.range(1, 8).map((n) =>
              store.append([{ streamId, expectedVersion: 0, events: [event(`Writer${n}`)] }], metadata, recordedAt).pipe(
                Effect.either
              )
            ),
            { concurrency: "unbounded" }
          )
          const winners = outcomes.filter(Either.isRight)
          const losers = outcomes.filter(Either.isLeft).map((o) => o.left)
          expect(winners.length).toBe(1)
          expect(losers).toEqual(Arr.replicate(new VersionConflict({ streamId, expectedVersion: 0, actualVersion: 1 }), 7))
          const read = yield* store.readStream(streamId)
          expect(read).toEqual(winners[0]!.right)
          expect(Option.map(yield* models.get("stream_count", streamId), (doc) => doc["count"])).toEqual(Option.some(1))
        }))

      it.effect("concurrent appends to different streams all update a shared read-model row", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const models = yield* ReadModels
          const prefix = freshPrefix()
          yield* Effect.all(Arr.range(1, 8).map(() => store.readStream(`${prefix}/s1`)), { concurrency: "unbounded" })
          yield* Effect.all(
            Arr.range(1, 8).map((n) =>
              store.append([{ streamId: `${prefix}/s${n}`, expectedVersion: 0, events: [event("Created")] }], metadata, recordedAt)
            ),
            { concurrency: "unbounded" }
          )
          expect(yield* models.get("prefix_total", prefix)).toEqual(Option.some({ events: 8 }))
        }))

      it.effect("read models change with the append; list and snapshot are ordered byte-wise by kind then id", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const models = yield* ReadModels
          const prefix = freshPrefix()
          const names = ["zeta", "Alpha", "alpha", "_under", "é", "Zeta", "a b", "a-b"]
          for (const name of names) {
            yield* store.append([{ streamId: `${prefix}/${name}`, expectedVersion: 0, events: [event("Created")] }], metadata, recordedAt)
          }
          const [deleted] = yield* store.append(
            [{ streamId: `${prefix}/zeta`, expectedVersion: 1, events: [event("StreamDeleted")] }],
            metadata,
            recordedAt
          )
          expect(deleted).toBeDefined()
          expect(yield* models.get("stream_count", `${prefix}/zeta`)).toEqual(Option.none())
          expect(yield* models.get("prefix_total", prefix)).toEqual(Option.some({ events: names.length + 1 }))

          const listed = (yield* models.list("stream_count")).filter((row) => row.id.startsWith(`${prefix}/`))
          const expectedIds = names.filter((n) => n !== "zeta").map((n) => `${prefix}/${n}`).sort(compareText)
          expect(listed.map((row) => row.id)).toEqual(expectedIds)
          expect(listed.every((row) => row.kind === "stream_count")).toBe(true)

          const snapshot = yield* models.snapshot
          const order = snapshot.map((row) => [row.kind, row.id] as const)
          expect(order).toEqual(
            [...order].sort(([ka, ia], [kb, ib]) => (ka === kb ? compareText(ia, ib) : compareText(ka, kb)))
          )
        }))

      it.effect("rebuild replays the log into the same read models and reports counts", () =>
        Effect.gen(function*() {
          const store = yield* EventStore
          const models = yield* ReadModels
          const prefix = freshPrefix()
          yield* store.append(
            [
              { streamId: `${prefix}/kept`, expectedVersion: 0, events: [event("Created"), event("Renamed")] },
              { streamId: `${prefix}/gone`, expectedVersion: 0, events: [event("Created"), event("StreamDeleted")] }
            ],
            metadata,
            recordedAt
          )
          const before = yield* models.snapshot
          const allEvents = (yield* readAllPaged(store, startOfLog, 1_000)).flat()
          const summary = yield* models.rebuild()
          expect(summary).toEqual({ events: allEvents.length, rows: before.length })
          expect(yield* models.snapshot).toEqual(before)
          // Checking every stored payload again finds the same log and derives the same rows.
          expect(yield* models.rebuild({ verify: true })).toEqual(summary)
          expect(yield* models.snapshot).toEqual(before)
          // Appends keep projecting after a rebuild.
          yield* store.append([{ streamId: `${prefix}/kept`, expectedVersion: 2, events: [event("Touched")] }], metadata, recordedAt)
          expect(Option.map(yield* models.get("stream_count", `${prefix}/kept`), (doc) => doc["count"])).toEqual(
            Option.some(3)
          )
        }))
    }
  )
