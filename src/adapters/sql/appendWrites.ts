import type * as SqlError from "@effect/sql/SqlError"
import { Data, Effect } from "effect"
import { createHash } from "node:crypto"
import { eventHash } from "../../application/eventHash.js"
import { ReadModelMap } from "../../application/projection.js"
import {
  type EventMetadata,
  type EventStoreUnavailable,
  type RecordedEvent,
  type StreamWrite,
  VersionConflict
} from "../../application/ports/EventStore.js"
import type { ProjectorShape } from "../../application/ports/Projector.js"
import type { ReadModelRow } from "../../application/ports/ReadModels.js"
import type { AppendSteps, EventInsert, RowKey } from "./appendSteps.js"
import { deadlockDetected, sqlState, uniqueViolation } from "./storeErrors.js"

/**
 * Another transaction inserted a (stream, version) of this batch first: raised inside the append transaction and
 * turned into a `VersionConflict` once it has rolled back and the streams' real versions can be read.
 */
export class ConcurrentAppend extends Data.TaggedError("ConcurrentAppend")<{
  readonly writes: ReadonlyArray<StreamWrite>
}> {}

/** Exactly the four fields the hash covers, so nothing else a caller's object carries ends up stored. */
const storedMetadata = (metadata: EventMetadata): EventMetadata => ({
  actor: metadata.actor,
  requestId: metadata.requestId,
  clientIp: metadata.clientIp,
  userAgent: metadata.userAgent
})

/** 64 bits of a hash of the row's key: an advisory-lock key that exists whether or not the row does. */
const rowLockKey = (key: RowKey): bigint =>
  createHash("sha256").update(key.kind).update("\u0000").update(key.id).digest().readBigInt64BE(0)

const distinctKeys = (keys: ReadonlyArray<RowKey>): ReadonlyArray<RowKey> => {
  const seen = new Map<string, RowKey>()
  for (const key of keys) seen.set(`${key.kind}\u0000${key.id}`, key)
  return [...seen.values()]
}

/** The events of `writes` numbered and chained, before the store has placed them. */
type Unplaced = Omit<RecordedEvent, "globalPosition" | "transactionId">

/** Where an event will sit, for the projector's first look (which rows it touches) before positions exist. */
const unplaced = { globalPosition: 0, transactionId: 0 }

/**
 * One append inside the caller's transaction, in two statements (ADR 0026):
 *
 * 1. `append_prepare` locks the read-model rows the events touch (advisory locks on hashes of the keys, in
 *    key order, so that concurrent appends cannot deadlock: a row that does not exist yet has nothing else to
 *    lock, and two appends creating it would otherwise both start from "no document"), then reads them, the
 *    heads of the streams the writes continue, the transaction id and the events' positions.
 * 2. `append_write` inserts the events, chained from those heads, and the read-model rows folded from them.
 *
 * Which rows the events touch does not depend on where they are placed, so the projector is asked once with
 * the events unplaced (for the keys to lock) and once placed (for the changes); a placed event that touches a
 * row the first look did not name is a defect in the projector.
 */
export const appendInTransaction = (
  steps: AppendSteps,
  projector: ProjectorShape,
  writes: ReadonlyArray<StreamWrite>,
  metadata: EventMetadata,
  recordedAt: Date
): Effect.Effect<ReadonlyArray<RecordedEvent>, VersionConflict | ConcurrentAppend | SqlError.SqlError | EventStoreUnavailable> =>
  Effect.gen(function*() {
    const stored = storedMetadata(metadata)
    // Versions as the caller expects them; checked against the heads step one reads, and hashes chained after.
    const drafts = writes.flatMap((write) =>
      write.events.map((event, index) => ({ write, event, streamVersion: write.expectedVersion + index + 1 }))
    )
    const keys = distinctKeys(
      drafts.flatMap(({ write, event, streamVersion }) =>
        projector({
          ...unplaced,
          type: event.type,
          schemaVersion: event.schemaVersion,
          payload: event.payload,
          streamId: write.streamId,
          streamVersion,
          metadata: stored,
          recordedAt,
          prevHash: "",
          hash: ""
        })
      )
    )
    const lockKeys = [...new Set(keys.map(rowLockKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const prepared = yield* steps.prepare({
      lockKeys,
      docKeys: keys,
      // A new stream's first event reads no head: the unique (stream, version) key refuses it if the stream exists.
      headStreams: writes.filter((w) => w.expectedVersion > 0).map((w) => w.streamId),
      eventCount: drafts.length
    })

    const pending: Array<Unplaced> = []
    for (const write of writes) {
      const head = prepared.heads.get(write.streamId)
      const actualVersion = write.expectedVersion === 0 ? 0 : head?.version ?? 0
      if (actualVersion !== write.expectedVersion) {
        return yield* new VersionConflict({ streamId: write.streamId, expectedVersion: write.expectedVersion, actualVersion })
      }
      let prevHash = write.expectedVersion === 0 ? "" : head?.hash ?? ""
      let streamVersion = actualVersion
      for (const event of write.events) {
        streamVersion += 1
        const fields = {
          prevHash,
          streamId: write.streamId,
          streamVersion,
          type: event.type,
          schemaVersion: event.schemaVersion,
          payload: event.payload,
          metadata: stored,
          recordedAt
        }
        const hash = eventHash(fields)
        pending.push({ ...fields, hash })
        prevHash = hash
      }
    }
    const recorded = pending.map((event, index): RecordedEvent => ({
      ...event,
      globalPosition: prepared.positions[index] ?? Number.NaN,
      transactionId: prepared.transactionId
    }))
    if (prepared.positions.length !== recorded.length) {
      return yield* Effect.dieMessage(`append: asked for ${recorded.length} positions, got ${prepared.positions.length}`)
    }

    // Start from the stored documents, then fold every change in order, as the memory store does.
    const models = new ReadModelMap()
    for (const row of prepared.docs) models.applyChange({ kind: row.kind, id: row.id, update: () => row.doc })
    const locked = new Set(keys.map((key) => `${key.kind}\u0000${key.id}`))
    for (const event of recorded) {
      for (const change of projector(event)) {
        if (!locked.has(`${change.kind}\u0000${change.id}`)) {
          return yield* Effect.dieMessage(`append: the projector touched ${change.kind}/${change.id} only once placed`)
        }
        models.applyChange(change)
      }
    }
    const upserts: Array<ReadModelRow> = []
    const deletes: Array<RowKey> = []
    for (const key of keys) {
      const doc = models.get(key.kind, key.id)
      if (doc === undefined) deletes.push(key)
      else upserts.push({ kind: key.kind, id: key.id, doc })
    }

    const rows = recorded.map((event): EventInsert => ({
      global_position: event.globalPosition,
      stream_id: event.streamId,
      stream_version: event.streamVersion,
      event_type: event.type,
      schema_version: event.schemaVersion,
      payload: event.payload,
      metadata: event.metadata,
      recorded_at: event.recordedAt.toISOString(),
      prev_hash: event.prevHash,
      hash: event.hash
    }))
    yield* steps.write(rows, upserts, deletes).pipe(
      // Another writer found the same head and inserted first: this insert waited for it and then violated
      // unique (stream_id, stream_version). Two multi-stream batches can also deadlock on those index entries,
      // which likewise means they wrote the same stream version.
      Effect.catchIf(
        (error) => {
          const state = sqlState(error)
          return state === uniqueViolation || state === deadlockDetected
        },
        () => new ConcurrentAppend({ writes })
      )
    )
    return recorded
  })
