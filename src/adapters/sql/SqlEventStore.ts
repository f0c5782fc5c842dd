import * as SqlClient from "@effect/sql/SqlClient"
import { Array as Arr, Context, Data, Effect, Layer, Option, Ref, Schedule, Schema, Stream } from "effect"
import { CommitSignal } from "./CommitSignal.js"
import { eventHash } from "../../application/eventHash.js"
import {
  EventStore,
  EventStoreUnavailable,
  type EventMetadata,
  type RecordedEvent,
  type StreamWrite,
  VersionConflict
} from "../../application/ports/EventStore.js"
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
 * Another transaction inserted the same (stream, version) first: raised inside the append transaction and
 * turned into a `VersionConflict` once it has rolled back and the stream's real version can be read.
 */
class ConcurrentAppend extends Data.TaggedError("ConcurrentAppend")<{
  readonly streamId: string
  readonly expectedVersion: number
}> {}

const decodeEvents = Schema.decodeUnknown(Schema.Array(EventRow))
const decodeHead = Schema.decodeUnknown(Schema.Array(Schema.Struct({ stream_version: DbInt, hash: Schema.String })))
const decodeDocs = Schema.decodeUnknown(Schema.Array(Schema.Struct({ doc: JsonObjectSchema })))
const decodeReadModelRows = Schema.decodeUnknown(Schema.Array(ReadModelRowSchema))

/** Exactly the four fields the hash covers, so nothing else a caller's object carries ends up stored. */
const storedMetadata = (metadata: EventMetadata): EventMetadata => ({
  actor: metadata.actor,
  requestId: metadata.requestId,
  clientIp: metadata.clientIp,
  userAgent: metadata.userAgent
})

/** The advisory lock (two-int form, class "EVST" as the migration lock, key 2) around taking positions. */
const POSITIONS_LOCK = [0x45565354, 2] as const

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
        "global_position, stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at, " +
          "prev_hash, hash"
      )

      /** The stream's last event (version and hash), if any. */
      const streamHead = (streamId: string) =>
        sql`select stream_version, hash from events where stream_id = ${streamId}
            order by stream_version desc limit 1`.pipe(Effect.flatMap(decodeHead), Effect.map(Arr.head))

      /**
       * The batch's transaction id and all its positions, taken together under a lock released at once (ADR 9):
       * transaction ids and positions then rise together, which is what readAll's `transaction_id < xmin`
       * guard needs. Taken row by row instead, two batches interleave (A: 6, 7, 10; B: 8, 9), and when A, the
       * older transaction, commits first, a reader sees 10 while 8 and 9 are still in flight and passes them for
       * ever. Only this short step is serialised: inserts, projections and commits of appends still overlap.
       */
      const takePositions = (count: number) =>
        Effect.acquireUseRelease(
          sql`select pg_advisory_lock(${POSITIONS_LOCK[0]}, ${POSITIONS_LOCK[1]})`,
          () =>
            sql`select pg_current_xact_id()`.pipe(
              Effect.zipRight(sql<{ readonly position: string }>`
                select nextval(pg_get_serial_sequence('events', 'global_position'))::text as position
                from generate_series(1, ${count})`),
              Effect.map((rows) => rows.map((r) => Number(r.position)).sort((a, b) => a - b))
            ),
          // Released even if the transaction fails; a connection that died took the lock with it.
          () => sql`select pg_advisory_unlock(${POSITIONS_LOCK[0]}, ${POSITIONS_LOCK[1]})`.pipe(Effect.ignore)
        ).pipe(Effect.map((positions) => {
          let next = 0
          return () => {
            const position = positions[next++]
            if (position === undefined) throw new Error("append: more events than positions taken")
            return position
          }
        }))

      const appendWrite = (write: StreamWrite, metadata: EventMetadata, recordedAt: Date, nextPosition: () => number) =>
        Effect.gen(function*() {
          const head = yield* streamHead(write.streamId)
          const actualVersion = Option.match(head, { onNone: () => 0, onSome: (h) => h.stream_version })
          if (actualVersion !== write.expectedVersion) {
            const { streamId, expectedVersion } = write
            return yield* new VersionConflict({ streamId, expectedVersion, actualVersion })
          }
          const recorded: Array<RecordedEvent> = []
          let prevHash = Option.match(head, { onNone: () => "", onSome: (h) => h.hash })
          let streamVersion = actualVersion
          // Hashes chain in order; positions were taken for the whole batch, in order. One insert per write.
          const rows: Array<Record<string, string | number>> = []
          for (const event of write.events) {
            streamVersion += 1
            const fields = { prevHash, streamId: write.streamId, streamVersion, ...event, metadata, recordedAt }
            const hash = eventHash(fields)
            const globalPosition = nextPosition()
            rows.push({
              global_position: globalPosition,
              stream_id: write.streamId,
              stream_version: streamVersion,
              event_type: event.type,
              schema_version: event.schemaVersion,
              // JSON text, which both drivers pass to a jsonb column untouched (as the read models do).
              payload: JSON.stringify(event.payload),
              metadata: JSON.stringify(metadata),
              recorded_at: recordedAt.toISOString(),
              prev_hash: prevHash,
              hash
            })
            recorded.push({ ...fields, globalPosition, hash })
            prevHash = hash
          }
          // At most 1,000 rows (11,000 parameters) per statement: Postgres takes at most 65,535.
          for (let start = 0; start < rows.length; start += 1_000) {
            yield* sql`insert into events ${sql.insert(rows.slice(start, start + 1_000))}`.pipe(
              // Both writers read the same head; the second insert waits for the first and then violates
              // unique (stream_id, stream_version). Two multi-stream batches can also deadlock on those index
              // entries, which likewise means they wrote the same stream version.
              Effect.catchIf(
                (error) => {
                  const state = sqlState(error)
                  return state === uniqueViolation || state === deadlockDetected
                },
                () => new ConcurrentAppend({ streamId: write.streamId, expectedVersion: write.expectedVersion })
              )
            )
          }
          return recorded
        })

      const known = yield* Ref.make(0)
      const signal = yield* Effect.serviceOption(CommitSignal)
      if (Option.isSome(signal)) {
        // Other processes' commits: catch up to the latest position on every (re)subscription, then follow.
        const latest = sql`select coalesce(max(global_position), 0)::text as position from events`.pipe(
          Effect.map((rows) => Number(rows[0]?.["position"] ?? 0))
        )
        const follow = Stream.runForEach(
          Stream.concat(Stream.fromEffect(latest), signal.value.heard),
          (position) => Ref.update(known, (p) => Math.max(p, position))
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
            const positions = yield* takePositions(writes.reduce((n, w) => n + w.events.length, 0))
            const recorded: Array<RecordedEvent> = []
            for (const write of writes) {
              recorded.push(...(yield* appendWrite(write, storedMetadata(metadata), recordedAt, positions)))
            }
            yield* applyProjection(sql, projector, recorded)
            return recorded
          })
        ).pipe(
          Effect.catchTag("ConcurrentAppend", (race) =>
            streamHead(race.streamId).pipe(
              Effect.flatMap((head) =>
                new VersionConflict({
                  streamId: race.streamId,
                  expectedVersion: race.expectedVersion,
                  actualVersion: Option.match(head, { onNone: () => 0, onSome: (h) => h.stream_version })
                })
              )
            )),
          Effect.catchTags({
            SqlError: (error) => Effect.fail(unavailable("append")(error)),
            ParseError: (error) => Effect.fail(unavailable("append")(error))
          }),
          transactionDefectsAsUnavailable("append"),
          Effect.tap((recorded) => {
            const position = recorded.at(-1)?.globalPosition ?? 0
            return Ref.update(known, (p) => Math.max(p, position)).pipe(
              Effect.zipRight(Option.match(signal, { onNone: () => Effect.void, onSome: (s) => s.announce(position) }))
            )
          })
        )

      const readStream = (streamId: string) =>
        sql`select ${eventColumns} from events where stream_id = ${streamId} order by stream_version`.pipe(
          Effect.flatMap(decodeEvents),
          Effect.map(Arr.map(toRecorded)),
          Effect.mapError(unavailable("readStream"))
        )

      /**
       * `transaction_id < xmin` keeps back every event written by a transaction that was still running when this
       * statement's snapshot was taken, together with all later positions: a bigserial position is taken at
       * insert but becomes visible only at commit, so without it a reader could pass a gap that fills later.
       */
      const readAll = (after: number, limit: number) =>
        limit <= 0 ? Effect.succeed([]) : sql`
          select ${eventColumns} from events
          where global_position > ${after} and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          order by global_position
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

      return Context.make(EventStore, { append, readStream, readAll, lastKnownPosition: Ref.get(known) }).pipe(
        Context.add(ReadModels, { get, list, snapshot, rebuild })
      )
    })
  )
