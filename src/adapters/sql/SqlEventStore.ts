import * as SqlClient from "@effect/sql/SqlClient"
import { Array as Arr, Context, Data, Effect, Layer, Option, Ref, Schedule, Schema, Stream } from "effect"
import { CommitSignal } from "./CommitSignal.js"
import { eventHash } from "../../application/eventHash.js"
import {
  checkpointOf,
  EventStore,
  type EventMetadata,
  laterCheckpoint,
  type LogCheckpoint,
  type RecordedEvent,
  startOfLog,
  type StreamWrite,
  VersionConflict
} from "../../application/ports/EventStore.js"
import { afterCheckpoint, readableBound } from "./logOrder.js"
import { Projector } from "../../application/ports/Projector.js"
import { type RebuildOptions, ReadModels } from "../../application/ports/ReadModels.js"
import { applyProjection } from "./readModelWrites.js"
import { replayLog } from "./replay.js"
import { JsonObjectSchema } from "../../domain/Json.js"
import { DbInt, EventRow, ReadModelRowSchema, toRecorded } from "./rows.js"
import {
  deadlockDetected,
  sqlState,
  transactionDefectsAsUnavailable,
  unavailable,
  uniqueViolation
} from "./storeErrors.js"

/**
 * Another transaction inserted a (stream, version) of this batch first: raised inside the append transaction and
 * turned into a `VersionConflict` once it has rolled back and the streams' real versions can be read.
 */
class ConcurrentAppend extends Data.TaggedError("ConcurrentAppend")<{
  readonly writes: ReadonlyArray<StreamWrite>
}> {}

const decodeEvents = Schema.decodeUnknown(Schema.Array(EventRow))
const decodeHeads = Schema.decodeUnknown(
  Schema.Array(Schema.Struct({ stream_id: Schema.String, stream_version: DbInt, hash: Schema.String }))
)
const decodeInserted = Schema.decodeUnknown(
  Schema.Array(Schema.Struct({ global_position: DbInt, transaction_id: DbInt, stream_id: Schema.String, stream_version: DbInt }))
)
const decodeCheckpoint = Schema.decodeUnknown(Schema.Array(Schema.Struct({ transaction_id: DbInt, global_position: DbInt })))
const decodeDocs = Schema.decodeUnknown(Schema.Array(Schema.Struct({ doc: JsonObjectSchema })))
const decodeReadModelRows = Schema.decodeUnknown(Schema.Array(ReadModelRowSchema))

/** Exactly the four fields the hash covers, so nothing else a caller's object carries ends up stored. */
const storedMetadata = (metadata: EventMetadata): EventMetadata => ({
  actor: metadata.actor,
  requestId: metadata.requestId,
  clientIp: metadata.clientIp,
  userAgent: metadata.userAgent
})

interface StreamHead {
  readonly version: number
  readonly hash: string
}

const versionKey = (streamId: string, version: number): string => `${streamId}\u0000${version}`

/** Events per insert statement. */
const insertChunk = 1_000

/**
 * The event store and read models on `@effect/sql`: the same code runs on Postgres (`PostgresClient`) and on
 * PGlite (`PgliteClient`). Semantics follow the memory store; see the port for the contract.
 */
export const layer: Layer.Layer<EventStore | ReadModels, never, SqlClient.SqlClient | Projector> = Layer
  .scopedContext(
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const projector = yield* Projector

      const eventColumns = sql.literal(
        "global_position, transaction_id::text as transaction_id, stream_id, stream_version, event_type, " +
          "schema_version, payload, metadata, recorded_at, prev_hash, hash"
      )

      /** The last event (version and hash) of each of these streams that has one; one query for all of them. */
      const streamHeads = (streamIds: ReadonlyArray<string>) =>
        streamIds.length === 0
          ? Effect.succeed(new Map<string, StreamHead>())
          : sql`select s.id as stream_id, e.stream_version, e.hash
              from json_array_elements_text(${JSON.stringify(streamIds)}::json) as s(id)
              cross join lateral (
                select stream_version, hash from events where stream_id = s.id order by stream_version desc limit 1
              ) as e`.pipe(
            Effect.flatMap(decodeHeads),
            Effect.map((rows) => new Map(rows.map((row) => [row.stream_id, { version: row.stream_version, hash: row.hash }])))
          )

      /**
       * Inserts every write's events in one statement (per 1,000 rows) with their hash chains. Positions come from
       * the sequence at insert, without a lock: appends of different streams run and commit side by side, and
       * readers keep their order by transaction id (ADR 0013). Only writes that continue a stream read its head;
       * a new stream's first event needs none, and the unique (stream, version) key refuses it if the stream
       * exists after all.
       */
      const insertWrites = (writes: ReadonlyArray<StreamWrite>, metadata: EventMetadata, recordedAt: Date) =>
        Effect.gen(function*() {
          const heads = yield* streamHeads(writes.filter((w) => w.expectedVersion > 0).map((w) => w.streamId))
          const pending: Array<Omit<RecordedEvent, "globalPosition" | "transactionId">> = []
          for (const write of writes) {
            const head = heads.get(write.streamId)
            const actualVersion = write.expectedVersion === 0 ? 0 : head?.version ?? 0
            if (actualVersion !== write.expectedVersion) {
              const { streamId, expectedVersion } = write
              return yield* new VersionConflict({ streamId, expectedVersion, actualVersion })
            }
            let prevHash = write.expectedVersion === 0 ? "" : head?.hash ?? ""
            let streamVersion = actualVersion
            for (const event of write.events) {
              streamVersion += 1
              const fields = { prevHash, streamId: write.streamId, streamVersion, ...event, metadata, recordedAt }
              const hash = eventHash(fields)
              pending.push({ ...fields, hash })
              prevHash = hash
            }
          }
          const placed = new Map<string, { readonly position: number; readonly transactionId: number }>()
          for (let start = 0; start < pending.length; start += insertChunk) {
            const rows = pending.slice(start, start + insertChunk).map((event) => ({
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
            // One JSON parameter for the whole chunk, taken apart by Postgres (as the read-model writes do).
            const inserted = yield* sql`insert into events
                (stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at, prev_hash, hash)
              select stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at, prev_hash, hash
              from json_to_recordset(${JSON.stringify(rows)}::json) as r(stream_id text, stream_version integer,
                event_type text, schema_version integer, payload jsonb, metadata jsonb, recorded_at timestamptz,
                prev_hash text, hash text)
              returning global_position, transaction_id::text as transaction_id, stream_id, stream_version`.pipe(
              // Both writers found the same head; the second insert waits for the first and then violates
              // unique (stream_id, stream_version). Two multi-stream batches can also deadlock on those index
              // entries, which likewise means they wrote the same stream version.
              Effect.catchIf(
                (error) => {
                  const state = sqlState(error)
                  return state === uniqueViolation || state === deadlockDetected
                },
                () => new ConcurrentAppend({ writes })
              ),
              Effect.flatMap(decodeInserted)
            )
            for (const row of inserted) {
              placed.set(versionKey(row.stream_id, row.stream_version), { position: row.global_position, transactionId: row.transaction_id })
            }
          }
          return pending.map((event): RecordedEvent => {
            const place = placed.get(versionKey(event.streamId, event.streamVersion))
            if (place === undefined) throw new Error(`append: no position came back for ${event.streamId} v${event.streamVersion}`)
            return { ...event, globalPosition: place.position, transactionId: place.transactionId }
          })
        })

      /** After a lost race: the first write whose stream is not where the caller expected it. */
      const conflictOf = (writes: ReadonlyArray<StreamWrite>) =>
        streamHeads(writes.map((w) => w.streamId)).pipe(
          Effect.flatMap((heads) => {
            const moved = writes.find((w) => (heads.get(w.streamId)?.version ?? 0) !== w.expectedVersion) ?? writes[0]
            const streamId = moved?.streamId ?? ""
            return new VersionConflict({
              streamId,
              expectedVersion: moved?.expectedVersion ?? 0,
              actualVersion: heads.get(streamId)?.version ?? 0
            })
          })
        )

      /** The last event in reading order: where a process that just (re)subscribed knows the log to be. */
      const latestCheckpoint = sql`select transaction_id::text as transaction_id, global_position from events
          order by transaction_id desc, global_position desc limit 1`.pipe(
        Effect.flatMap(decodeCheckpoint),
        Effect.map((rows) =>
          Option.match(Arr.head(rows), {
            onNone: () => startOfLog,
            onSome: (row) => ({ transactionId: row.transaction_id, position: row.global_position })
          })
        )
      )

      const known = yield* Ref.make<LogCheckpoint>(startOfLog)
      const signal = yield* Effect.serviceOption(CommitSignal)
      if (Option.isSome(signal)) {
        // Other processes' commits: catch up to the latest checkpoint on every (re)subscription, then follow.
        const follow = Stream.runForEach(
          Stream.concat(Stream.fromEffect(latestCheckpoint), signal.value.heard),
          (checkpoint) => Ref.update(known, (k) => laterCheckpoint(k, checkpoint))
        )
        yield* Effect.forkScoped(
          follow.pipe(
            Effect.tapErrorCause((cause) => Effect.logWarning("lost the commit notifications; resubscribing", cause)),
            Effect.retry(Schedule.spaced("1 second"))
          )
        )
      }
      const append = (writes: ReadonlyArray<StreamWrite>, metadata: EventMetadata, recordedAt: Date) =>
        sql.withTransaction(
          Effect.gen(function*() {
            const recorded = yield* insertWrites(writes, storedMetadata(metadata), recordedAt)
            yield* applyProjection(sql, projector, recorded)
            return recorded
          })
        ).pipe(
          Effect.catchTag("ConcurrentAppend", (race) => conflictOf(race.writes)),
          Effect.catchTags({
            SqlError: (error) => Effect.fail(unavailable("append")(error)),
            ParseError: (error) => Effect.fail(unavailable("append")(error))
          }),
          transactionDefectsAsUnavailable("append"),
          Effect.tap((recorded) => {
            const last = recorded.at(-1)
            if (last === undefined) return Effect.void
            const checkpoint = checkpointOf(last)
            return Ref.update(known, (k) => laterCheckpoint(k, checkpoint)).pipe(
              Effect.zipRight(Option.match(signal, { onNone: () => Effect.void, onSome: (s) => s.announce(checkpoint) }))
            )
          })
        )

      const readStream = (streamId: string) =>
        sql`select ${eventColumns} from events where stream_id = ${streamId} order by stream_version`.pipe(
          Effect.flatMap(decodeEvents),
          Effect.map(Arr.map(toRecorded)),
          Effect.mapError(unavailable("readStream"))
        )

      /** The log after `after` in reading order, only as far as no transaction in flight can add to (logOrder.ts). */
      const readAll = (after: LogCheckpoint, limit: number) =>
        limit <= 0 ? Effect.succeed([]) : sql`
          select ${eventColumns} from events
          where ${afterCheckpoint(sql, after)} and transaction_id < ${readableBound(sql)}
          order by transaction_id, global_position
          limit ${limit}`.pipe(
          Effect.flatMap(decodeEvents),
          Effect.map(Arr.map(toRecorded)),
          Effect.mapError(unavailable("readAll"))
        )

      const get = (kind: string, id: string) =>
        sql`select doc from read_models where kind = ${kind} and id = ${id}`.pipe(
          Effect.flatMap(decodeDocs),
          Effect.map((rows) => Option.map(Arr.head(rows), (row) => row.doc)),
          Effect.mapError(unavailable("readModels.get"))
        )

      const list = (kind: string) =>
        sql`select kind, id, doc from read_models where kind = ${kind} order by id`.pipe(
          Effect.flatMap(decodeReadModelRows),
          Effect.mapError(unavailable("readModels.list"))
        )

      const snapshot = sql`select kind, id, doc from read_models order by kind, id`.pipe(
        Effect.flatMap(decodeReadModelRows),
        Effect.mapError(unavailable("readModels.snapshot"))
      )

      const rebuild = (options?: RebuildOptions) =>
        sql.withTransaction(
          // Conflicts with the ROW EXCLUSIVE lock every insert takes: waits for appends in flight to commit and
          // holds new ones back until the swap commits, while readers go on reading the old rows.
          sql`lock table events in share row exclusive mode`.pipe(
            Effect.zipRight(replayLog(sql, projector, { verify: options?.verify === true }))
          )
        ).pipe(Effect.mapError(unavailable("readModels.rebuild")), transactionDefectsAsUnavailable("readModels.rebuild"))

      return Context.make(EventStore, { append, readStream, readAll, lastKnownCheckpoint: Ref.get(known) }).pipe(
        Context.add(ReadModels, { get, list, snapshot, rebuild })
      )
    })
  )
