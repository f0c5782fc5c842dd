import * as SqlClient from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import { Effect, Exit, Layer, Option, Scope } from "effect"
import { ClusterLeases } from "../../application/ports/ClusterLeases.js"

/** "LEAS": the advisory-lock class of leases (the migration lock is "EVST", 0x45565354). */
const LEASES = 0x4c454153

/** The connection this process takes its session-level advisory locks on, and what returns it to the pool. */
interface LockConnection {
  readonly connection: Connection
  readonly scope: Scope.CloseableScope
}

/**
 * Leases as Postgres session-level advisory locks (`pg_try_advisory_lock`) on one connection reserved for
 * them. Postgres drops a session's locks when its connection ends, so a killed replica's leases are free the
 * moment the kernel closes its socket. If that connection fails, its locks are gone with it: the question is
 * asked again on a new connection, and a lease that still cannot be asked for is granted, since a second transfer of a blob costs bandwidth
 * while a refused one would stall every pull of it.
 */
export const layer = Layer.scoped(
  ClusterLeases,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // One statement at a time on the shared connection; a lock query is a round trip of well under a millisecond.
    const serial = yield* Effect.makeSemaphore(1)
    let current: LockConnection | null = null

    yield* Effect.addFinalizer(() => Effect.suspend(() => (current === null ? Effect.void : Scope.close(current.scope, Exit.void))))

    const connection = Effect.suspend(() => {
      if (current !== null) return Effect.succeed(current)
      return Effect.gen(function*() {
        const scope = yield* Scope.make()
        const reserved = yield* sql.reserve.pipe(Scope.extend(scope), Effect.tapError(() => Scope.close(scope, Exit.void)))
        const made: LockConnection = { connection: reserved, scope }
        current = made
        return made
      })
    })

    /** Forgets a connection that failed; the pool gets it back marked broken. */
    const drop = (failed: LockConnection, cause: unknown) =>
      Effect.suspend(() => {
        if (current === failed) current = null
        return Scope.close(failed.scope, Exit.fail(cause))
      })

    const run = (statement: string, key: string) =>
      Effect.gen(function*() {
        const lockConnection = yield* connection
        const rows = yield* lockConnection.connection.executeValues(statement, [key]).pipe(
          Effect.tapError((error) => drop(lockConnection, error))
        )
        return { lockConnection, answer: rows[0]?.[0] === true }
      }).pipe(
        serial.withPermits(1),
        // Again on another connection: after a Postgres restart the old one is dead but a new one is fine. More
        // than once, because the pool may hand out other idle connections that died with it before a new one.
        Effect.retry({ times: 3 })
      )

    // The two-int form, whose key space does not overlap the 64-bit one the read-model row locks use; the first
    // int sets leases apart from the migration lock, the second is a hash of the key (no table, no registry).
    // A collision of two keys' hashes only makes one wait for the other, never lets both run.
    const release = (key: string, takenOn: LockConnection) =>
      Effect.suspend(() => (current === takenOn ? run(`select pg_advisory_unlock(${LEASES}, hashtext($1))`, key) : Effect.void)).pipe(
        Effect.catchAll((error) => Effect.logWarning("could not release a lease; it ends with the connection", { key, error: error.message })),
        Effect.asVoid
      )

    return {
      tryTake: (key) =>
        run(`select pg_try_advisory_lock(${LEASES}, hashtext($1))`, key).pipe(
          Effect.map(({ answer, lockConnection }) => (answer ? Option.some(release(key, lockConnection)) : Option.none())),
          Effect.catchAll((error) =>
            Effect.logWarning("could not ask for a lease; going ahead without it", { key, error: error.message }).pipe(
              Effect.as(Option.some(Effect.void))
            )
          )
        )
    }
  })
)
