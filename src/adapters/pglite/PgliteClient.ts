import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import * as SqlError from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import { PGlite, types } from "@electric-sql/pglite"
import { Effect, Layer, Stream } from "effect"
import { tighten } from "../filesystem/dataDir.js"
import { lockDataDir } from "./dataDirLock.js"
import { initializeDataDir } from "./initializeDataDir.js"

export interface PgliteOptions {
  /** A directory for the database files; undefined keeps the database in memory. */
  readonly dataDir: string | undefined
  /**
   * Where a directory without a database gets one: in a child process (default; PGlite's initdb leaves
   * hundreds of MiB behind, see `initializeDataDir`) or in this one (quicker, for short-lived processes).
   */
  readonly createIn?: "childProcess" | "thisProcess"
}

type Row = Record<string, unknown>
type RowTransform = (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined

/**
 * `pg` returns int8 (bigserial, bigint, count(*)) as strings; PGlite would return numbers, or BigInt beyond
 * 2^53. Keeping the text makes this client answer exactly as the Postgres one does.
 */
const parsers = { [types.INT8]: (text: string) => text }

/**
 * PGlite's defaults and a smaller buffer cache: Postgres's default 128 MiB of shared buffers, all of it touched
 * in WASM memory at start, is most of an idle embedded server's RSS (SPEC §9: under 250 MiB). The event log and
 * read models of one instance fit in far less; reads beyond it come from the operating system's page cache.
 */
const START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"]

const statementFailed = (cause: unknown) => new SqlError.SqlError({ cause, message: "Failed to execute statement" })

const attempt = <A>(run: () => Promise<A>): Effect.Effect<A, SqlError.SqlError> =>
  Effect.tryPromise({ try: run, catch: statementFailed })

const transformed = <A extends object>(rows: ReadonlyArray<A>, transformRows: RowTransform) =>
  transformRows === undefined ? rows : transformRows(rows)

const makeConnection = (db: PGlite): SqlConnection.Connection => {
  const execute = (sql: string, params: ReadonlyArray<unknown>, transformRows: RowTransform) =>
    attempt(() => db.query<Row>(sql, [...params])).pipe(Effect.map((result) => transformed(result.rows, transformRows)))
  return {
    execute,
    executeRaw: (sql, params) => attempt(() => db.query<Row>(sql, [...params])),
    executeValues: (sql, params) =>
      attempt(() => db.query<Array<unknown>>(sql, [...params], { rowMode: "array" })).pipe(
        Effect.map((result) => result.rows)
      ),
    // Without parameters, the simple protocol: several statements (a migration file) in one call. Like `pg`,
    // one statement gives its rows and several give one array of rows per statement.
    executeUnprepared: (sql, params, transformRows) =>
      params.length > 0
        ? execute(sql, params, transformRows)
        : attempt(() => db.exec(sql)).pipe(
          Effect.map((results) => {
            const [only, ...others] = results
            if (only !== undefined && others.length === 0) return transformed(only.rows, transformRows)
            return results.map((result) => transformed(result.rows, transformRows))
          })
        ),
    // PGlite has no cursors; the rows are small enough to fetch at once and stream from memory.
    executeStream: (sql, params, transformRows) =>
      Stream.unwrap(Effect.map(execute(sql, params, transformRows), (rows) => Stream.fromIterable(rows)))
  }
}

/**
 * PGlite's file system (emscripten's NODEFS) gives its files the modes it keeps itself (0666, 0644), whatever
 * the process's umask, so its directory is made owner-only after opening and again at close. In between, new
 * files sit in owner-only directories, which no other user can enter.
 */
const ownerOnly = (dataDir: string | undefined) =>
  dataDir === undefined
    ? Effect.void
    : Effect.tryPromise({
      try: () => tighten(dataDir),
      catch: (cause) => new SqlError.SqlError({ cause, message: `PGlite: cannot make ${dataDir} owner-only` })
    }).pipe(Effect.asVoid)

const make = (options: PgliteOptions) =>
  Effect.gen(function*() {
    if (options.dataDir !== undefined) {
      yield* lockDataDir(options.dataDir)
      if (options.createIn !== "thisProcess") yield* initializeDataDir(options.dataDir)
    }
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          PGlite.create({ parsers, startParams: START_PARAMS, ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }) }),
        catch: (cause) => new SqlError.SqlError({ cause, message: "PGlite: failed to start" })
      }),
      (db) =>
        Effect.promise(() => db.close()).pipe(
          Effect.zipRight(ownerOnly(options.dataDir)),
          Effect.catchAll((error) => Effect.logWarning(error.message))
        )
    )
    yield* ownerOnly(options.dataDir)
    const connection = makeConnection(db)

    // PGlite is one session: a transaction's BEGIN…COMMIT must not interleave with anybody else's statements.
    // Every statement outside a transaction, and every transaction as a whole, holds the single permit (the
    // SqlClient runs statements inside a transaction on the connection it reserved, without acquiring again).
    const permit = yield* Effect.makeSemaphore(1)
    const acquirer: SqlConnection.Connection.Acquirer = Effect.uninterruptibleMask((restore) =>
      restore(permit.take(1)).pipe(
        Effect.zipRight(Effect.addFinalizer(() => permit.release(1))),
        Effect.as(connection)
      )
    )

    return yield* SqlClient.make({
      acquirer,
      compiler: PgClient.makeCompiler(),
      spanAttributes: [["db.system.name", "postgresql"], ["db.namespace", options.dataDir ?? "memory"]]
    })
  })

/** A `SqlClient` on an embedded PGlite database, closed when the layer's scope closes. */
export const layer = (options: PgliteOptions): Layer.Layer<SqlClient.SqlClient, SqlError.SqlError> =>
  Layer.scoped(SqlClient.SqlClient, make(options)).pipe(Layer.provide(Reactivity.layer))
