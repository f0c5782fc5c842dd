import * as SqlClient from "@effect/sql/SqlClient"
import { Array as Arr, Effect, Layer, Option, Ref, Schedule, Schema, Stream } from "effect"
import { CommitSignal } from "./CommitSignal.js"
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
import { Projector } from "../../application/ports/Projector.js"
import { statementSteps } from "./appendSteps.js"
import { appendGroups, type GroupLimits } from "./appendGroups.js"
import { type AppendRequest, appendInTransaction, appendMembersInTransaction, eventCountOf } from "./appendWrites.js"
import { inPostgresTransaction, MultiStatementMessages } from "./postgresAppendSteps.js"
import { afterCheckpoint, readableBound, readingOrder } from "./logOrder.js"
import { DbInt, EventRow, toRecorded } from "./rows.js"
import { transactionDefectsAsUnavailable, unavailable } from "./storeErrors.js"

/**
 * At most 2 shared transactions at once, of at most 64 appends each: with 16 writers, 2 gave the most appends/s
 * in the append trial (1, 4 and 8 fewer; ADR 0030), and the pool (10 connections) keeps room for reads and for
 * appends too large to share one (more than `groupedAppendEvents` events, which run alone).
 */
const groupLimits: GroupLimits = { groups: 2, members: 64 }
const groupedAppendEvents = 100

const decodeEvents = Schema.decodeUnknown(Schema.Array(EventRow))
const decodeVersions = Schema.decodeUnknown(Schema.Array(Schema.Struct({ stream_id: Schema.String, stream_version: DbInt })))
const decodeCheckpoint = Schema.decodeUnknown(Schema.Array(Schema.Struct({ transaction_id: DbInt, global_position: DbInt })))

/**
 * The event store on `@effect/sql`: the same code runs on Postgres (`PostgresClient`) and on PGlite
 * (`PgliteClient`). Appends write the read models in their own transaction (`appendWrites.ts`); reading them is
 * `SqlReadModels`. Semantics follow the memory store; see the port for the contract.
 */
export const layer: Layer.Layer<EventStore, never, SqlClient.SqlClient | Projector> = Layer.scoped(
  EventStore,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const projector = yield* Projector

    const eventColumns = sql.literal(
      "global_position, transaction_id::text as transaction_id, stream_id, stream_version, event_type, " +
        "schema_version, payload, metadata, recorded_at, prev_hash, hash"
    )

    /** After a lost race: the first write whose stream is not where the caller expected it. */
    const conflictOf = (writes: ReadonlyArray<StreamWrite>) =>
      sql`select s.id as stream_id, e.stream_version
          from json_array_elements_text(${JSON.stringify(writes.map((w) => w.streamId))}::json) as s(id)
          cross join lateral (
            select stream_version from events where stream_id = s.id order by stream_version desc limit 1
          ) as e`.pipe(
        Effect.flatMap(decodeVersions),
        Effect.flatMap((rows) => {
          const versions = new Map(rows.map((row) => [row.stream_id, row.stream_version]))
          const moved = writes.find((w) => (versions.get(w.streamId) ?? 0) !== w.expectedVersion) ?? writes[0]
          const streamId = moved?.streamId ?? ""
          return new VersionConflict({
            streamId,
            expectedVersion: moved?.expectedVersion ?? 0,
            actualVersion: versions.get(streamId) ?? 0
          })
        })
      )

    /** The last event in reading order: where a process that just (re)subscribed knows the log to be. */
    const latestCheckpoint = sql`select transaction_id::text as transaction_id, global_position from events
        order by ${readingOrder(sql, "desc")} limit 1`.pipe(
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

    /**
     * Two statements in one transaction (appendWrites.ts), on Postgres in two round trips with `begin` and
     * `commit` (postgresAppendSteps.ts). Positions come from the sequence, without a lock: appends of different
     * streams run and commit side by side, and readers keep their order by transaction id (ADR 0013). On Postgres
     * outside a caller's transaction, appends that arrive together share one (appendGroups.ts, ADR 0030), and
     * the commit carries its announcement to other processes.
     */
    const postgres = yield* Effect.serviceOption(MultiStatementMessages)
    const announcementInCommit = Option.getOrUndefined(Option.map(signal, (s) => s.announcementInCommit))
    const alone = (request: AppendRequest) =>
      inPostgresTransaction(
        sql,
        (steps) => appendInTransaction(steps, projector, request.writes, request.metadata, request.recordedAt),
        announcementInCommit
      )
    const grouped = Option.isSome(postgres)
      ? Option.some(
        yield* appendGroups({
          together: (members) => inPostgresTransaction(sql, (steps) => appendMembersInTransaction(steps, projector, members), announcementInCommit),
          alone
        }, groupLimits)
      )
      : Option.none()

    /** Announced after the append, on the caller's transaction if there is one (delivered when it commits). */
    const announced = (recorded: ReadonlyArray<RecordedEvent>) => {
      const last = recorded.at(-1)
      return last === undefined ? Effect.void : Option.match(signal, { onNone: () => Effect.void, onSome: (s) => s.announce(checkpointOf(last)) })
    }
    /** Within a caller's transaction, a savepoint of it; elsewhere than Postgres, a transaction of its own. */
    const transactAppend = (request: AppendRequest) =>
      Effect.serviceOption(SqlClient.TransactionConnection).pipe(
        Effect.flatMap((enclosing) =>
          Option.isSome(grouped) && Option.isNone(enclosing)
            ? eventCountOf(request) <= groupedAppendEvents ? grouped.value(request) : alone(request)
            : sql.withTransaction(appendInTransaction(statementSteps(sql), projector, request.writes, request.metadata, request.recordedAt))
              .pipe(Effect.tap(announced))
        )
      )
    const append = (writes: ReadonlyArray<StreamWrite>, metadata: EventMetadata, recordedAt: Date) =>
      transactAppend({ writes, metadata, recordedAt }).pipe(
        Effect.catchTag("ConcurrentAppend", (race) => conflictOf(race.writes)),
        Effect.catchTags({
          SqlError: (error) => Effect.fail(unavailable("append")(error)),
          ParseError: (error) => Effect.fail(unavailable("append")(error))
        }),
        transactionDefectsAsUnavailable("append"),
        Effect.tap((recorded) => {
          const last = recorded.at(-1)
          return last === undefined ? Effect.void : Ref.update(known, (k) => laterCheckpoint(k, checkpointOf(last)))
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
        order by ${readingOrder(sql, "asc")}
        limit ${limit}`.pipe(
        Effect.flatMap(decodeEvents),
        Effect.map(Arr.map(toRecorded)),
        Effect.mapError(unavailable("readAll"))
      )

    return {
      append,
      readStream,
      readAll,
      lastKnownCheckpoint: Ref.get(known),
      committedEnd: latestCheckpoint.pipe(Effect.mapError(unavailable("committedEnd")))
    }
  })
)
