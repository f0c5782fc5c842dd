import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Effect, Fiber, ParseResult, Schema } from "effect"
import type { RecordedEvent } from "../../application/ports/EventStore.js"
import type { ProjectorShape } from "../../application/ports/Projector.js"
import type { ReplaySummary } from "../../application/ports/ReadModels.js"
import { ReadModelMap } from "../../application/projection.js"
import { replaceReadModels } from "./readModelWrites.js"
import { EventRow, toRecorded, trustedEventRow } from "./rows.js"

/** Events per page: memory holds one page (and the next one, being fetched) whatever the log's length. */
const pageSize = 10_000

const decodeVerified = Schema.decodeUnknown(Schema.Array(EventRow))

const eventColumns =
  "global_position, transaction_id::text as transaction_id, stream_id, stream_version, event_type, schema_version, " +
  "payload, metadata, recorded_at, prev_hash, hash"

/** Rows as they come: checked column by column, payloads trusted (they were validated when appended). */
const decodeTrusted = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>) =>
  Effect.suspend(() => {
    const events: Array<RecordedEvent> = []
    for (const row of rows) {
      const event = trustedEventRow(row)
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
    const page = (after: number) =>
      sql<Readonly<Record<string, unknown>>>`select ${sql.literal(eventColumns)} from events
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
    yield* replaceReadModels(sql, models.sorted())
    return { events, rows: models.size }
  })
