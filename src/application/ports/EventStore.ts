import { Context, Data, type Effect } from "effect"
import type { JsonObject } from "../../domain/Json.js"

/** Who and where a command came from; stored beside every event it produced. */
export interface EventMetadata {
  readonly actor: string | null
  readonly requestId: string | null
  readonly clientIp: string | null
  readonly userAgent: string | null
}

export const systemMetadata = (actor: string): EventMetadata => ({
  actor,
  requestId: null,
  clientIp: null,
  userAgent: null
})

/** An event about to be stored: its type, the schema version of its payload, and the payload. */
export interface NewEvent {
  readonly type: string
  readonly schemaVersion: number
  readonly payload: JsonObject
}

/**
 * Events for one stream, appended only if the stream is at `expectedVersion`
 * (0 means the stream must not exist yet).
 */
export interface StreamWrite {
  readonly streamId: string
  readonly expectedVersion: number
  readonly events: ReadonlyArray<NewEvent>
}

export interface RecordedEvent {
  readonly globalPosition: number
  /**
   * The transaction that wrote the event. Appends commit in parallel, so positions are not taken in commit
   * order; readers of the whole log go by (transaction, position) instead (ADR 0013).
   */
  readonly transactionId: number
  readonly streamId: string
  readonly streamVersion: number
  readonly type: string
  readonly schemaVersion: number
  readonly payload: JsonObject
  readonly metadata: EventMetadata
  readonly recordedAt: Date
  /** Hash of the previous event in the same stream ("" for the first). */
  readonly prevHash: string
  readonly hash: string
}

/**
 * Where a reader of the whole log stands: the last event it has read, in the order `readAll` reads, which is
 * by writing transaction, then position. A reader keeps it between pages (and LiveView between requests).
 */
export interface LogCheckpoint {
  readonly transactionId: number
  readonly position: number
}

/** Before the first event. */
export const startOfLog: LogCheckpoint = { transactionId: 0, position: 0 }

export const checkpointOf = (event: RecordedEvent): LogCheckpoint => ({
  transactionId: event.transactionId,
  position: event.globalPosition
})

/** Negative, zero or positive as `a` comes before, at or after `b` in the log's reading order. */
export const compareCheckpoints = (a: LogCheckpoint, b: LogCheckpoint): number =>
  a.transactionId !== b.transactionId ? a.transactionId - b.transactionId : a.position - b.position

export const laterCheckpoint = (a: LogCheckpoint, b: LogCheckpoint): LogCheckpoint => (compareCheckpoints(a, b) >= 0 ? a : b)

/** Another writer appended to the stream first. The command handler reloads and retries. */
export class VersionConflict extends Data.TaggedError("VersionConflict")<{
  readonly streamId: string
  readonly expectedVersion: number
  readonly actualVersion: number
}> {}

/** The store could not be reached or answered with an error; not a domain outcome. */
export class EventStoreUnavailable extends Data.TaggedError("EventStoreUnavailable")<{
  readonly message: string
}> {}

export interface EventStoreShape {
  /**
   * Appends all writes atomically (all or none), each guarded by its expected version, and applies the
   * projection of the new events to the read models in the same transaction.
   */
  readonly append: (
    writes: ReadonlyArray<StreamWrite>,
    metadata: EventMetadata,
    recordedAt: Date
  ) => Effect.Effect<ReadonlyArray<RecordedEvent>, VersionConflict | EventStoreUnavailable>
  readonly readStream: (streamId: string) => Effect.Effect<ReadonlyArray<RecordedEvent>, EventStoreUnavailable>
  /**
   * Events after the checkpoint `after`, by writing transaction then position, at most `limit`. Never returns
   * an event while a transaction that may still add an earlier one is in flight, so a reader that remembers the
   * checkpoint of the last event it read (`checkpointOf`) neither skips nor repeats an event.
   */
  readonly readAll: (after: LogCheckpoint, limit: number) => Effect.Effect<ReadonlyArray<RecordedEvent>, EventStoreUnavailable>
  /**
   * The latest checkpoint this process knows to be committed: its own appends, and (where the adapter listens
   * for them) other processes'. In-memory views compare it with their own checkpoint to know when to catch up,
   * without a database round trip per request.
   */
  readonly lastKnownCheckpoint: Effect.Effect<LogCheckpoint>
  /**
   * The checkpoint of the last event committed now, in reading order, whether or not `readAll` may pass it yet
   * (a transaction in flight holds readers back). A reader that must see the whole log as it was at a moment
   * asks for this first, then reads until it has passed it: a page of `readAll` can be short only because the
   * rest is held back.
   */
  readonly committedEnd: Effect.Effect<LogCheckpoint, EventStoreUnavailable>
}

export class EventStore extends Context.Tag("dependency-proxy/EventStore")<EventStore, EventStoreShape>() {}
