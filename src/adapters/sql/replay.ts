import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Effect, Fiber, ParseResult, Schema } from "effect"
import type { ProjectedEvent, ProjectorShape } from "../../application/ports/Projector.js"
import type { ReplaySummary } from "../../application/ports/ReadModels.js"
import { ReadModelMap } from "../../application/projection.js"
import { replaceReadModels } from "./readModelWrites.js"
import { EventRow, projectedEventRow, toRecorded } from "./rows.js"

/** Events per page: memory holds one page (and the next one, being fetched) whatever the log's length. */
const pageSize = 10_000

const decodeVerified = Schema.decodeUnknown(Schema.Array(EventRow))

/** Every column, for a replay that checks every row in full. */
const eventColumns =
  "global_position, transaction_id::text as transaction_id, stream_id, stream_version, event_type, schema_version, " +
  "payload, metadata, recorded_at, prev_hash, hash"

/**
 * The columns the projector reads. `recorded_at` comes as epoch milliseconds, rounded down as `pg` and
 * PGlite round a `timestamptz` into a Date: both parse the text form with a regular expression per row, a
 * cost a number does not have. Hashes, metadata and transaction ids are left on the server.
 */
const projectedColumns =
  "global_position, stream_id, event_type, schema_version, payload, " +
  "floor(extract(epoch from recorded_at) * 1000)::float8 as recorded_ms"

/** Rows as they come: checked column by column, payloads trusted (they were validated when appended). */
const decodeTrusted = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>) =>
  Effect.suspend(() => {
    const events: Array<ProjectedEvent> = []
    for (const row of rows) {
      const event = projectedEventRow(row)
      if (event === undefined) {
        return Effect.fail(
          new ParseResult.ParseError({
            issue: new ParseResult.Type(EventRow.ast, row, `not an events row (position ${String(row["global_position"])})`)
          })
        )
      }
      events.push(event)
    }
    return Effect.succeed(events)
  })

export interface ReplayOptions {
  /** Check every row, payloads and metadata included, as a read from an untrusted source would. */
  readonly verify: boolean
}

/**
 * Replays the whole log into fresh read models and writes them in bulk, replacing the old ones. The caller
 * holds the transaction and a lock that keeps appends out, so position order is the whole log's order. Each
 * page of events is decoded once; the next page is fetched while this one is projected.
 */
export const replayLog = (
  sql: SqlClient.SqlClient,
  projector: ProjectorShape,
  options: ReplayOptions
): Effect.Effect<ReplaySummary, SqlError.SqlError | ParseResult.ParseError> =>
  Effect.gen(function*() {
    const page = (after: number): Effect.Effect<ReadonlyArray<ProjectedEvent>, SqlError.SqlError | ParseResult.ParseError> =>
      sql<Readonly<Record<string, unknown>>>`select ${sql.literal(options.verify ? eventColumns : projectedColumns)} from events
        where global_position > ${after} order by global_position limit ${pageSize}`.pipe(
        Effect.flatMap((rows) =>
          options.verify ? decodeVerified(rows).pipe(Effect.map((decoded) => decoded.map(toRecorded))) : decodeTrusted(rows)
        )
      )
    const models = new ReadModelMap()
    let events = 0
    let current = yield* page(0)
    for (;;) {
      const last = current.at(-1)
      const next = last === undefined || current.length < pageSize ? undefined : yield* Effect.fork(page(last.globalPosition))
      // Lets the fetch send its query before the projection below keeps this thread busy.
      if (next !== undefined) yield* Effect.yieldNow()
      for (const event of current) models.apply(projector, event)
      events += current.length
      if (next === undefined) break
      current = yield* Fiber.join(next)
    }
    yield* replaceReadModels(sql, (size) => models.sortedChunks(size))
    return { events, rows: models.size }
  })
