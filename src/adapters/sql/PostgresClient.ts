import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Layer, Redacted } from "effect"
import { MultiStatementMessages } from "./postgresAppendSteps.js"

/**
 * A `SqlClient` (and the `PgClient` behind it) on a Postgres server, pooled, closed with the layer's scope; with
 * the word that it takes several statements in one message (the event store's appends use it, ADR 0026).
 */
export const pgLayer = (
  url: string
): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient | MultiStatementMessages, SqlError.SqlError> =>
  Layer.merge(PgClient.layer({ url: Redacted.make(url) }), Layer.succeed(MultiStatementMessages, true))
