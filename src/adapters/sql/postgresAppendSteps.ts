import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import type * as SqlError from "@effect/sql/SqlError"
import { Context, Effect, Exit } from "effect"
import type { LogCheckpoint } from "../../application/ports/EventStore.js"
import { type AppendSteps, prepareArguments, preparedFrom, writeArguments } from "./appendSteps.js"

/**
 * Present when the `SqlClient` is Postgres through `pg` (`PostgresClient.pgLayer` provides it): appends may then
 * send two statements in one simple-protocol message (`inPostgresTransaction`). A tag rather than a look at the
 * client, so that a process on PGlite never loads the Postgres driver.
 */
export class MultiStatementMessages extends Context.Tag("dependency-proxy/MultiStatementMessages")<MultiStatementMessages, true>() {}

/**
 * A string as an SQL literal, as `pg`'s `escapeLiteral` writes it: quotes doubled, and backslashes doubled in
 * an `E''` literal, which reads the same whatever `standard_conforming_strings` is. Only JSON text goes
 * through here, which never holds a NUL character (`JSON.stringify` writes it as `\u0000`).
 */
export const sqlLiteral = (text: string): string => {
  const body = text.replace(/'/g, "''")
  return text.includes("\\") ? ` E'${body.replace(/\\/g, "\\\\")}'` : `'${body}'`
}

/** The rows of the last statement of a multi-statement simple query (`pg` answers with one list per statement). */
const lastResult = (results: ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
  const last = results.at(-1)
  return Array.isArray(last) ? last : []
}

/**
 * On Postgres, an append's transaction in two round trips instead of four: `begin` travels with step one and
 * `commit` with step two, each as one simple-protocol message holding both statements (ADR 0026). The client's
 * cost per statement (socket writes, parsing, the effect around each) was what limited appends. Simple protocol
 * takes no bound parameters, so the arguments, all JSON text and one integer, go as literals (`sqlLiteral`).
 * Each statement of such a message takes its own snapshot, as separate statements would, so step one's read
 * still follows its locks.
 *
 * Not for PGlite, whose `query` takes one statement: there `statementSteps` runs inside `sql.withTransaction`.
 * The transaction is rolled back unless step two's commit answered, on failure alike; a rollback that fails is a
 * defect (as in `sql.withTransaction`), which the store reports as unavailable.
 *
 * With `announcementInCommit`, step two's message also carries the commit's announcement to other processes
 * (`CommitSignal`), which Postgres delivers on commit: no round trip of its own after it.
 *
 * Uninterruptible from asking the pool for a connection to the commit or rollback: an interrupted append finishes
 * first (its statements are short; a lock wait lasts as long as another append). @effect/sql-pg's `reserve` has
 * no canceller, so a fiber interrupted while it waits for the pool never releases the connection it is handed
 * later: enough such interruptions and the pool has none left (test/adapters/PostgresAppendInterrupted). And an
 * interrupted statement is cancelled with `pg_cancel_backend` sent through that same pool, which, when the pool
 * is busy, can arrive seconds later and cancel whatever that backend runs by then.
 */
export const inPostgresTransaction = <A, E, R>(
  sql: SqlClient.SqlClient,
  use: (steps: AppendSteps) => Effect.Effect<A, E, R>,
  announcementInCommit?: (checkpoint: LogCheckpoint) => string
): Effect.Effect<A, E | SqlError.SqlError, R> =>
  // Uninterruptible from asking the pool for a connection to the commit or rollback (see above).
  Effect.uninterruptible(Effect.scoped(
    Effect.gen(function*() {
      const connection: SqlConnection.Connection = yield* sql.reserve
      const run = (text: string) => connection.executeUnprepared(text, [], undefined)
      let committed = false
      let transactionId = 0
      const steps: AppendSteps = {
        prepare: (request) => {
          const [lockKeys, docKeys, headStreams, eventCount] = prepareArguments(request)
          return run(
            `begin; select append_prepare(${sqlLiteral(lockKeys)}::json, ${sqlLiteral(docKeys)}::json, ` +
              `${sqlLiteral(headStreams)}::json, ${Math.trunc(eventCount)}::integer) as prepared`
          ).pipe(
            Effect.flatMap((results) => preparedFrom(lastResult(results))),
            Effect.tap((prepared) => {
              transactionId = prepared.transactionId
            })
          )
        },
        write: (events, upserts, deletes, more) => {
          const [eventRows, upsertRows, deleteKeys] = writeArguments(events, upserts, deletes)
          const statement =
            `select append_write(${sqlLiteral(eventRows)}::json, ${sqlLiteral(upsertRows)}::json, ${sqlLiteral(deleteKeys)}::json)`
          // A part with more to follow leaves the transaction open (ADR 0031); the last one announces and commits.
          if (more) return run(statement).pipe(Effect.asVoid)
          // Parts come in position order, so the last part's highest position is the transaction's.
          const last = events.reduce((position, event) => Math.max(position, event.global_position), 0)
          const announcement = announcementInCommit === undefined || last === 0
            ? ""
            : `; ${announcementInCommit({ transactionId, position: last })}`
          return run(`${statement}${announcement}; commit`).pipe(Effect.tap(() => {
            committed = true
          }), Effect.asVoid)
        }
      }
      return yield* use(steps).pipe(
        Effect.onExit((exit) =>
          Exit.isSuccess(exit) && committed ? Effect.void : run("rollback").pipe(Effect.orDie, Effect.asVoid)
        )
      )
    })
  ))
