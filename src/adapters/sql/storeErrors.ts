import type * as SqlError from "@effect/sql/SqlError"
import { Effect, Option, type ParseResult, Predicate } from "effect"
import { EventStoreUnavailable } from "../../application/ports/EventStore.js"

/** The driver's own message (SqlError's is generic: "Failed to execute statement"). */
const causeMessage = (cause: unknown): string =>
  Predicate.hasProperty(cause, "message") ? String(cause.message) : String(cause)

/** Maps a database or row-decoding failure to the port's error, saying what was being done. */
export const unavailable = (action: string) =>
(error: SqlError.SqlError | ParseResult.ParseError): EventStoreUnavailable =>
  new EventStoreUnavailable({
    message: error._tag === "SqlError"
      ? `${action}: ${error.message}: ${causeMessage(error.cause)}`
      : `${action}: unexpected row: ${error.message}`
  })

/** Postgres SQLSTATE of the driver error behind a SqlError (`pg` and PGlite both expose `code`). */
export const sqlState = (error: SqlError.SqlError): string | undefined =>
  Predicate.hasProperty(error.cause, "code") && typeof error.cause.code === "string" ? error.cause.code : undefined

export const uniqueViolation = "23505"
export const deadlockDetected = "40P01"

/**
 * `SqlClient.withTransaction` turns a failing COMMIT or ROLLBACK into a defect. For a store that is still the
 * database being unavailable (e.g. the connection dropped at commit, so the outcome is unknown), so such defects
 * are surfaced as `EventStoreUnavailable`; any other defect stays a defect.
 */
export const transactionDefectsAsUnavailable = (action: string) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | EventStoreUnavailable, R> =>
  Effect.catchSomeDefect(self, (defect) =>
    Predicate.isTagged(defect, "SqlError")
      ? Option.some(
        Effect.fail(
          new EventStoreUnavailable({
            message: `${action}: transaction did not complete: ${
              causeMessage(Predicate.hasProperty(defect, "cause") ? defect.cause : defect)
            }`
          })
        )
      )
      : Option.none())
