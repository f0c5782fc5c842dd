import { SqlClient, type SqlError } from "@effect/sql"
import { Context, Effect, Layer, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import { pgLayer } from "../../../src/adapters/sql/PostgresClient.js"
import { migrate } from "../../../src/adapters/sql/migrate.js"

/** A connection to the server's maintenance database, used only to create and drop test databases. */
export const ADMIN_URL = process.env["TEST_POSTGRES_ADMIN_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"

const admin = (statement: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(Effect.provide(pgLayer(ADMIN_URL)))

const urlOf = (database: string): string => {
  const url = new URL(ADMIN_URL)
  url.pathname = `/${database}`
  return url.toString()
}

/**
 * A new, empty database for the caller's scope, dropped when it closes, so test files (and tests) can run in
 * parallel. The drop is forced: a pool that has not finished closing must not keep the database alive.
 */
export const freshDatabase: Effect.Effect<string, SqlError.SqlError, Scope.Scope> = Effect.acquireRelease(
  Effect.gen(function*() {
    const name = `dp_test_${randomBytes(6).toString("hex")}`
    yield* admin(`create database ${name}`)
    return name
  }),
  (name) => admin(`drop database if exists ${name} with (force)`).pipe(Effect.orDie)
).pipe(Effect.map(urlOf))

export class TestDatabaseUrl extends Context.Tag("test/TestDatabaseUrl")<TestDatabaseUrl, string>() {}

/** A fresh, migrated database: its URL and a `SqlClient` on it. */
export const migratedTestDatabase: Layer.Layer<TestDatabaseUrl | SqlClient.SqlClient, SqlError.SqlError> = Layer
  .unwrapEffect(
    Effect.map(TestDatabaseUrl, (url) => Layer.effectDiscard(migrate).pipe(Layer.provideMerge(pgLayer(url))))
  ).pipe(Layer.provideMerge(Layer.scoped(TestDatabaseUrl, freshDatabase)))
