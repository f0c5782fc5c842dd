import * as SqlClient from "@effect/sql/SqlClient"
import { Array as Arr, Effect, Layer, Option, Schema } from "effect"
import { Projector } from "../../application/ports/Projector.js"
import { type RebuildOptions, ReadModels } from "../../application/ports/ReadModels.js"
import { JsonObjectSchema } from "../../domain/Json.js"
import { replayLog } from "./replay.js"
import { ReadModelRowSchema } from "./rows.js"
import { transactionDefectsAsUnavailable, unavailable } from "./storeErrors.js"

const decodeDocs = Schema.decodeUnknown(Schema.Array(Schema.Struct({ doc: JsonObjectSchema })))
const decodeReadModelRows = Schema.decodeUnknown(Schema.Array(ReadModelRowSchema))

/**
 * The read models on `@effect/sql` (Postgres or PGlite): reads of the `read_models` table, and `rebuild`, which
 * replays the log into a fresh copy of it. Appends write the table in their own transaction (`SqlEventStore`).
 */
export const layer: Layer.Layer<ReadModels, never, SqlClient.SqlClient | Projector> = Layer.effect(
  ReadModels,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const projector = yield* Projector

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

    return { get, list, snapshot, rebuild }
  })
)
