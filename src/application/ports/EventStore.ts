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
   * Events with a global position greater than `after`, in position order, at most `limit`.
   * Never returns an event while an earlier position may still be committed by a transaction in flight,
   * so a reader that remembers its last position skips nothing.
   */
  readonly readAll: (after: number, limit: number) => Effect.Effect<ReadonlyArray<RecordedEvent>, EventStoreUnavailable>
  /**
   * The highest global position this process knows to be committed: its own appends, and (where the adapter
   * listens for them) other processes'. In-memory views compare it with their own position to know when to
   * catch up, without a database round trip per request.
   */
  readonly lastKnownPosition: Effect.Effect<number>
}

export class EventStore extends Context.Tag("dependency-proxy/EventStore")<EventStore, EventStoreShape>() {}
