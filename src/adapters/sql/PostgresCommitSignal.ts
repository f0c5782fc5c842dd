import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Layer, Option, Stream } from "effect"
import type { LogCheckpoint } from "../../application/ports/EventStore.js"
import { CommitSignal } from "./CommitSignal.js"
import { probedListen } from "./probedListen.js"

const CHANNEL = "dependency_proxy_events"

/** A notification's payload: `<transaction id>:<position>`. */
const checkpointText = (checkpoint: LogCheckpoint): string => `${Math.trunc(checkpoint.transactionId)}:${Math.trunc(checkpoint.position)}`

const parseCheckpoint = (text: string): Option.Option<LogCheckpoint> => {
  const match = /^(\d+):(\d+)$/.exec(text)
  const transactionId = Number(match?.[1])
  const position = Number(match?.[2])
  return Number.isSafeInteger(transactionId) && Number.isSafeInteger(position) && position > 0
    ? Option.some({ transactionId, position })
    : Option.none()
}

export const PostgresCommitSignal = Layer.effect(
  CommitSignal,
  Effect.gen(function*() {
    const pg = yield* PgClient.PgClient
    return {
      // `pg_notify()` rather than `NOTIFY`, which takes no bound parameters. A lost notification costs only
      // latency: the next announcement or a resubscription's catch-up covers it.
      announce: (checkpoint) =>
        pg`select pg_notify(${CHANNEL}, ${checkpointText(checkpoint)})`.pipe(
          Effect.catchAll((error) => Effect.logWarning("could not announce a commit to other processes", error))
        ),
      // Only digits and a colon go into the literal.
      announcementInCommit: (checkpoint) => `select pg_notify('${CHANNEL}', '${checkpointText(checkpoint)}')`,
      // Probes and anything else that is not a checkpoint are dropped.
      heard: probedListen(pg, CHANNEL).pipe(Stream.filterMap(parseCheckpoint))
    }
  })
)
