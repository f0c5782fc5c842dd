import type * as SqlError from "@effect/sql/SqlError"
import { Data, Effect, Either } from "effect"
import { hash } from "node:crypto"
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
import type { AppendSteps, EventInsert, RowKey, StreamHead } from "./appendSteps.js"
import { deadlockDetected, sqlState, uniqueViolation } from "./storeErrors.js"
import { partsOf, writeInParts } from "./writeInParts.js"

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

/**
 * 64 bits of a hash of the row's key: an advisory-lock key that exists whether or not the row does. Every
 * process must compute the same key for a row (they lock each other out with it), so the bytes hashed never
 * change; one-shot `hash` is the same SHA-256 as a `createHash` fed the parts, without the object per key.
 */
export const rowLockKey = (key: RowKey): bigint =>
  hash("sha256", `${key.kind}\u0000${key.id}`, "buffer").readBigInt64BE(0)

const keyText = (key: RowKey): string => `${key.kind}\u0000${key.id}`

const distinctKeys = (keys: ReadonlyArray<RowKey>): ReadonlyArray<RowKey> => {
  const seen = new Map<string, RowKey>()
  for (const key of keys) seen.set(keyText(key), key)
  return [...seen.values()]
}

/** An event numbered and chained, before the store has placed it. */
type Unplaced = Omit<RecordedEvent, "globalPosition" | "transactionId">

/** Where an event will sit, for the projector's first look (which rows it touches) before positions exist. */
const unplacedPosition = 0

/** One caller's append: its writes commit together or not at all. */
export interface AppendRequest {
  readonly writes: ReadonlyArray<StreamWrite>
  readonly metadata: EventMetadata
  readonly recordedAt: Date
}

/** What one member of a shared transaction gets: its events as recorded, or the conflict that refused them. */
export type MemberOutcome = Either.Either<ReadonlyArray<RecordedEvent>, VersionConflict>

export const eventCountOf = (request: AppendRequest): number => request.writes.reduce((sum, write) => sum + write.events.length, 0)

/** The read-model rows a request's events touch, from the projector's first look at them unplaced. */
const touchedKeys = (projector: ProjectorShape, request: AppendRequest): ReadonlyArray<RowKey> =>
  distinctKeys(request.writes.flatMap((write) =>
    write.events.flatMap((event) =>
      // The event's fields named, not spread after others: such a spread is a runtime call per property in V8,
      // per event of a batch (ADR 0029). Only what the projector reads (`ProjectedEvent`).
      projector({
        globalPosition: unplacedPosition,
        type: event.type,
        schemaVersion: event.schemaVersion,
        payload: event.payload,
        streamId: write.streamId,
        recordedAt: request.recordedAt
      })
    )
  ))

/** The first write of `request` whose stream is not where it expects, against the heads as they stand. */
const conflictWith = (request: AppendRequest, heads: ReadonlyMap<string, StreamHead>): VersionConflict | undefined => {
  for (const write of request.writes) {
    const actualVersion = heads.get(write.streamId)?.version ?? 0
    if (actualVersion !== write.expectedVersion) {
      return new VersionConflict({ streamId: write.streamId, expectedVersion: write.expectedVersion, actualVersion })
    }
  }
  return undefined
}

/** The request's events numbered and chained from `heads` (a new stream's first event from ""). */
const chained = (request: AppendRequest, heads: ReadonlyMap<string, StreamHead>): ReadonlyArray<Unplaced> => {
  const metadata = storedMetadata(request.metadata)
  const events: Array<Unplaced> = []
  for (const write of request.writes) {
    let prevHash = write.expectedVersion === 0 ? "" : heads.get(write.streamId)?.hash ?? ""
    let streamVersion = write.expectedVersion
    for (const event of write.events) {
      streamVersion += 1
      const fields = {
        prevHash,
        streamId: write.streamId,
        streamVersion,
        type: event.type,
        schemaVersion: event.schemaVersion,
        payload: event.payload,
        metadata,
        recordedAt: request.recordedAt
      }
      const hash = eventHash(fields)
      events.push({ ...fields, hash })
      prevHash = hash
    }
  }
  return events
}

const insertOf = (event: RecordedEvent): EventInsert => ({
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
})

/** What one part of step two writes: its events, and the rows its events changed as they stand after it. */
interface PartRows {
  readonly events: ReadonlyArray<EventInsert>
  readonly upserts: ReadonlyArray<ReadModelRow>
  readonly deletes: ReadonlyArray<RowKey>
}

/**
 * One append inside the caller's transaction, in two statements (ADR 0026): `appendMembersInTransaction` with
 * this one member, its conflict as the failure.
 */
export const appendInTransaction = (
  steps: AppendSteps,
  projector: ProjectorShape,
  writes: ReadonlyArray<StreamWrite>,
  metadata: EventMetadata,
  recordedAt: Date
): Effect.Effect<ReadonlyArray<RecordedEvent>, VersionConflict | ConcurrentAppend | SqlError.SqlError | EventStoreUnavailable> =>
  appendMembersInTransaction(steps, projector, [{ writes, metadata, recordedAt }]).pipe(
    Effect.flatMap((outcomes) => outcomes[0] ?? Effect.dieMessage("append: no outcome for its one member"))
  )

/**
 * The appends of one or more callers ("members") in one transaction, in two statements (ADR 0026, ADR 0030):
 *
 * 1. `append_prepare` locks the read-model rows the members' events touch (advisory locks on hashes of the
 *    keys, in key order, so that concurrent appends cannot deadlock: a row that does not exist yet has nothing
 *    else to lock, and two appends creating it would otherwise both start from "no document"), then reads them,
 *    the heads of the streams the writes name, the transaction id and the events' positions.
 * 2. `append_write` inserts the events of the members whose expected versions held, chained from those heads
 *    and from the members before them, and the read-model rows folded from them: in parts of at most
 *    `PART_EVENTS` events, the next part folded while Postgres writes one (ADR 0031, `writeInParts.ts`).
 *
 * A member whose streams are not where it expects gets its `VersionConflict` and writes nothing; the others go
 * on. Alone, an append does not read the head of a stream it creates: the unique (stream, version) key refuses
 * the first event if the stream exists. In a group every head is read, so that one member's stale view is
 * caught here rather than failing the whole transaction.
 *
 * Which rows the events touch does not depend on where they are placed, so the projector is asked once with
 * the events unplaced (for the keys to lock) and once placed (for the changes); a placed event that touches a
 * row the first look did not name is a defect in the projector.
 */
export const appendMembersInTransaction = (
  steps: AppendSteps,
  projector: ProjectorShape,
  members: ReadonlyArray<AppendRequest>
): Effect.Effect<ReadonlyArray<MemberOutcome>, ConcurrentAppend | SqlError.SqlError | EventStoreUnavailable> =>
  Effect.gen(function*() {
    const touched = members.map((member) => touchedKeys(projector, member))
    const keys = distinctKeys(touched.flat())
    const lockKeys = [...new Set(keys.map(rowLockKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const eventCount = members.reduce((sum, member) => sum + eventCountOf(member), 0)
    const grouped = members.length > 1
    const prepared = yield* steps.prepare({
      lockKeys,
      docKeys: keys,
      headStreams: [...new Set(members.flatMap((member) => member.writes.filter((w) => grouped || w.expectedVersion > 0).map((w) => w.streamId)))],
      eventCount
    })
    if (prepared.positions.length !== eventCount) {
      return yield* Effect.dieMessage(`append: asked for ${eventCount} positions, got ${prepared.positions.length}`)
    }

    // Members in order, each checked against the heads as the members accepted before it left them.
    const heads = new Map(prepared.heads)
    const outcomes: Array<MemberOutcome> = []
    const recorded: Array<RecordedEvent> = []
    const accepted: Array<AppendRequest> = []
    const acceptedKeys: Array<RowKey> = []
    members.forEach((member, index) => {
      const conflict = conflictWith(member, heads)
      if (conflict !== undefined) {
        outcomes.push(Either.left(conflict))
        return
      }
      const placed = chained(member, heads).map((event, offset): RecordedEvent => ({
        ...event,
        globalPosition: prepared.positions[recorded.length + offset] ?? Number.NaN,
        transactionId: prepared.transactionId
      }))
      recorded.push(...placed)
      for (const event of placed) heads.set(event.streamId, { version: event.streamVersion, hash: event.hash })
      accepted.push(member)
      acceptedKeys.push(...(touched[index] ?? []))
      outcomes.push(Either.right(placed))
    })
    // Nothing to write: the transaction ends without a commit, so the caller's rollback undoes step one's locks.
    if (recorded.length === 0) return outcomes

    // Start from the stored documents, then fold every change in order, as the memory store does, a part at a
    // time (ADR 0031).
    const models = new ReadModelMap()
    for (const row of prepared.docs) models.applyChange({ kind: row.kind, id: row.id, update: () => row.doc })
    // The rows the accepted members' events named in the first look: a placed event may touch only those.
    const locked = new Set(acceptedKeys.map(keyText))
    const partRows = (part: ReadonlyArray<RecordedEvent>): PartRows => {
      const changed = new Map<string, RowKey>()
      for (const event of part) {
        for (const change of projector(event)) {
          const text = keyText(change)
          if (!locked.has(text)) throw new Error(`append: the projector touched ${change.kind}/${change.id} only once placed`)
          models.applyChange(change)
          changed.set(text, change)
        }
      }
      const upserts: Array<ReadModelRow> = []
      const deletes: Array<RowKey> = []
      for (const key of changed.values()) {
        const doc = models.get(key.kind, key.id)
        if (doc === undefined) deletes.push({ kind: key.kind, id: key.id })
        else upserts.push({ kind: key.kind, id: key.id, doc })
      }
      return { events: part.map(insertOf), upserts, deletes }
    }
    const write = (rows: PartRows, more: boolean) =>
      steps.write(rows.events, rows.upserts, rows.deletes, more).pipe(
        // Another writer found the same head and inserted first: this insert waited for it and then violated
        // unique (stream_id, stream_version). Two multi-stream batches can also deadlock on those index entries,
        // which likewise means they wrote the same stream version.
        Effect.catchIf(
          (error) => {
            const state = sqlState(error)
            return state === uniqueViolation || state === deadlockDetected
          },
          () => new ConcurrentAppend({ writes: accepted.flatMap((member) => member.writes) })
        )
      )
    yield* writeInParts(partsOf(recorded), partRows, write)
    return outcomes
  })
