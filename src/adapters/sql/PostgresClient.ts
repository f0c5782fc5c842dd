import type { SqlClient, SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { type Layer, Redacted } from "effect"

/** A `SqlClient` (and the `PgClient` behind it) on a Postgres server, pooled, closed with the layer's scope. */
export const pgLayer = (url: string): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError.SqlError> =>
  PgClient.layer({ url: Redacted.make(url) })
