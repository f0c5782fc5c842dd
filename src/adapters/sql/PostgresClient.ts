import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import { type Layer, Redacted } from "effect"

/** A `SqlClient` (and the `PgClient` behind it) on a Postgres server, pooled, closed with the layer's scope. */
export const pgLayer = (url: string): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError.SqlError> =>
  PgClient.layer({ url: Redacted.make(url) })
