import { Cause, Effect } from "effect"

/**
 * Work a route answers `202 Accepted` for before it is done (as GitLab purges and deletes in the background):
 * run on its own fiber, outliving the request; a failure is logged with what was being done, a shutdown noted.
 */
export const inBackground = <A, E, R>(what: string, work: Effect.Effect<A, E, R>) =>
  work.pipe(
    Effect.tapErrorCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.logWarning(`${what} was interrupted (shutdown)`)
        : Effect.logError(`${what} failed`, cause)),
    Effect.forkDaemon
  )
