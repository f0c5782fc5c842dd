import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Layer, Stream } from "effect"
import { CommitSignal } from "./CommitSignal.js"
import { probedListen } from "./probedListen.js"

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
