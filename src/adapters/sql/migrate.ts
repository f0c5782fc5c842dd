import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Effect } from "effect"
import { readdir, readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"

/** `migrations/` at the project root, found from this file so it works from any working directory. */
const migrationsDir = new URL("../../../migrations/", import.meta.url)

interface Migration {
  readonly name: string
  readonly text: string
}

/**
 * The migration files in name order. They ship with the code, so failing to read them is a packaging bug, not
 * a database condition: it is a defect rather than a typed error.
 */
const readMigrations: Effect.Effect<ReadonlyArray<Migration>> = Effect.tryPromise(async () => {
  const dir = fileURLToPath(migrationsDir)
  // Plain code-unit order: names are ASCII ("0001_…"), so this is byte order, independent of the locale.
  const names = (await readdir(dir)).filter((n) => n.endsWith(".sql")).sort()
  return Promise.all(names.map(async (name) => ({ name, text: await readFile(new URL(name, migrationsDir), "utf8") })))
}).pipe(Effect.orDie)

/**
 * Serialises concurrent runners (two processes starting at once). Transaction-scoped, so it is released by
 * COMMIT/ROLLBACK even if the process dies; the two-int form keeps it apart from other advisory locks.
 */
const lockMigrations = (sql: SqlClient.SqlClient) => sql`select pg_advisory_xact_lock(${0x45565354}, ${1})`

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction, and returns the
 * names it applied (empty when the schema is current).
 */
export const migrate: Effect.Effect<ReadonlyArray<string>, SqlError.SqlError, SqlClient.SqlClient> = Effect.gen(
  function*() {
    const sql = yield* SqlClient.SqlClient
    const migrations = yield* readMigrations

    // Under the lock: `create table if not exists` itself races when two sessions run it at once.
    yield* sql.withTransaction(
      lockMigrations(sql).pipe(
        Effect.zipRight(sql`
          create table if not exists schema_migrations (
            name text primary key,
            applied_at timestamptz not null
          )`)
      )
    )

    const applied: Array<string> = []
    for (const migration of migrations) {
      const ran = yield* sql.withTransaction(
        Effect.gen(function*() {
          yield* lockMigrations(sql)
          const done = yield* sql`select name from schema_migrations where name = ${migration.name}`
          if (done.length > 0) return false
          // Unprepared (simple protocol) because a migration file holds several statements.
          yield* sql.unsafe(migration.text).unprepared
          yield* sql`insert into schema_migrations (name, applied_at) values (${migration.name}, now())`
          return true
        })
      )
      if (ran) applied.push(migration.name)
    }
    return applied
  }
)
