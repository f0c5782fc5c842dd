import * as SqlClient from "@effect/sql/SqlClient"
import { Array as Arr, Effect, Layer, Schema } from "effect"
import { EventStoreUnavailable } from "../../application/ports/EventStore.js"
import { IdSequence } from "../../application/ports/IdSequence.js"
import { DbInt } from "./rows.js"
import { unavailable } from "./storeErrors.js"

const decodeValue = Schema.decodeUnknown(Schema.Array(Schema.Struct({ value: DbInt })))

/**
 * Per-kind counters in `id_counters`. One upsert both creates the counter (at 1) and increments it; the row lock
 * it takes serialises concurrent callers. Run inside an append's transaction the id is given back on rollback;
 * run on its own it commits at once, so a failed command leaves a gap, as GitLab's ids do.
 */
export const layer: Layer.Layer<IdSequence, never, SqlClient.SqlClient> = Layer.effect(
  IdSequence,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return {
      next: (kind: string) =>
        sql`insert into id_counters (kind, value) values (${kind}, 1)
            on conflict (kind) do update set value = id_counters.value + 1
            returning value`.pipe(
          Effect.flatMap(decodeValue),
          Effect.mapError(unavailable("idSequence.next")),
          Effect.flatMap((rows) =>
            Arr.head(rows).pipe(
              Effect.map((row) => row.value),
              Effect.mapError(() => new EventStoreUnavailable({ message: "idSequence.next: upsert returned no row" }))
            )
          )
        )
    }
  })
)
