/** The log lines a shutdown writes; Fastify's logger is one. */
export interface ShutdownLog {
  readonly info: (fields: object, message: string) => void
  readonly warn: (fields: object, message: string) => void
  readonly error: (fields: object, message: string) => void
}

/** What `serve`'s shutdown acts on: the process's, in production; a unit test's own, in its tests. */
export interface ShutdownWith {
  /** Stops taking requests, lets those in flight finish, then closes the services (Fastify's `close`). */
  readonly close: () => Promise<void>
  /** Ends every connection at once, requests in flight included, so that `close` can go on to the services. */
  readonly cutOff: () => void
  readonly log: ShutdownLog
  /** `SHUTDOWN_TIMEOUT`: how long requests in flight may take to finish. */
  readonly timeoutMs: number
  /** After the cut-off, how long `close` has left (`AFTER_CUT_OFF_MS` unless a test says otherwise). */
  readonly afterCutOffMs?: number
  /** What still keeps the process alive, by kind (`process.getActiveResourcesInfo`). */
  readonly openResources: () => ReadonlyArray<string>
  readonly exit: (code: number) => void
}

/** Once shut down, how long the process may linger before it is made to exit. */
export const LINGER_MS = 1_000

/** After the connections are cut off at the deadline, how long `close` has left to close the database. */
export const AFTER_CUT_OFF_MS = 5_000

/** `["TCPSocketWrap", "Timeout", "TCPSocketWrap"]` as `{ TCPSocketWrap: 2, Timeout: 1 }`, for one log field. */
const counted = (kinds: ReadonlyArray<string>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

/**
 * A graceful shutdown with a deadline: 0 once every request in flight has finished and the services are closed;
 * 1 if that took longer than the timeout. Then the connections still open are cut off, so that `close` goes
 * on to close the services (the database, its lock file) before the process ends. Without the deadline one
 * client that stops reading a blob, or one request waiting on a database that never answers, kept the process
 * from ever exiting, and an orchestrator's kill then came with no word of why.
 */
export const shutDown = (signal: string, using: ShutdownWith): Promise<number> =>
  new Promise<number>((settle) => {
    using.log.info({ signal, timeoutSeconds: using.timeoutMs / 1000 }, "shutting down")
    let cutOff = false
    const closed = using.close()
    const deadline = setTimeout(() => {
      cutOff = true
      using.log.error(
        { timeoutSeconds: using.timeoutMs / 1000, stillOpen: counted(using.openResources()) },
        "shutdown did not finish within SHUTDOWN_TIMEOUT (a client still reading, or a request still waiting): cutting off its connections"
      )
      using.cutOff()
      const waitMs = using.afterCutOffMs ?? AFTER_CUT_OFF_MS
      // Not unref'd: a close stuck on something that holds no handle would otherwise let the process end quietly.
      const giveUp = setTimeout(() => {
        using.log.error({ waitedSeconds: waitMs / 1000 }, "the services did not close after the connections were cut off: exiting")
        settle(1)
      }, waitMs)
      closed.then(() => clearTimeout(giveUp), () => clearTimeout(giveUp))
    }, using.timeoutMs)
    closed.then(
      () => {
        clearTimeout(deadline)
        settle(cutOff ? 1 : 0)
      },
      (error: unknown) => {
        clearTimeout(deadline)
        using.log.error({ err: error }, "shutdown failed")
        settle(1)
      }
    )
  })

/**
 * After `shutDown`: the process should now end by itself, with nothing left to do. If something still holds it
 * (a socket or a timer nobody closed, or the requests `shutDown` gave up on) it is made to exit with `code`, and
 * the log says what was still open. The timer does not itself keep the process alive.
 */
export const exitIfHeld = (code: number, using: Pick<ShutdownWith, "log" | "openResources" | "exit">): void => {
  setTimeout(() => {
    using.log.warn({ stillOpen: counted(using.openResources()) }, "shut down, but the process was still held open: exiting")
    using.exit(code)
  }, LINGER_MS).unref()
}
