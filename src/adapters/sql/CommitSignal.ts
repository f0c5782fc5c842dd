import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Stream } from "effect"
import { probedListen } from "./probedListen.js"

/**
 * How processes sharing one database tell each other that the log moved on: Postgres `NOTIFY` after each
 * commit, `LISTEN` in every process. An adapter detail of the SQL store, absent for PGlite (one process).
 */
export interface CommitSignalShape {
  readonly announce: (position: number) => Effect.Effect<void>
  /** Positions committed by any process; fails when the connection drops (the store then resubscribes). */
  readonly heard: Stream.Stream<number, unknown>
}

export class CommitSignal extends Context.Tag("dependency-proxy/sql/CommitSignal")<CommitSignal, CommitSignalShape>() {}

const CHANNEL = "dependency_proxy_events"

export const PostgresCommitSignal = Layer.effect(
  CommitSignal,
  Effect.gen(function*() {
    const pg = yield* PgClient.PgClient
    return {
      // `pg_notify()` rather than `NOTIFY`, which takes no bound parameters. A lost notification costs only
      // latency: the next announcement or a resubscription's catch-up covers it.
      announce: (position) =>
        pg`select pg_notify(${CHANNEL}, ${String(position)})`.pipe(
          Effect.catchAll((error) => Effect.logWarning("could not announce a commit to other processes", error))
        ),
      // Probes and anything else that is not a position are dropped.
      heard: probedListen(pg, CHANNEL).pipe(
        Stream.map(Number),
        Stream.filter((n) => Number.isSafeInteger(n) && n > 0)
      )
    }
  })
)
