import { randomUUID } from "node:crypto"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Layer, Option, Schema, Stream } from "effect"
import { type BreakerBulletin, BreakerSignal } from "../../application/ports/BreakerSignal.js"
import { probedListen } from "./probedListen.js"

/** A channel of its own: two LISTENs of one channel on the shared connection would UNLISTEN each other. */
const CHANNEL = "dependency_proxy_upstream"

const Message = Schema.parseJson(Schema.Struct({
  /** The announcing process: Postgres delivers a notification to its sender's listener too. */
  from: Schema.String,
  host: Schema.String,
  news: Schema.Union(
    Schema.Struct({ _tag: Schema.Literal("Opened"), retryInMs: Schema.Number, reason: Schema.String }),
    Schema.Struct({ _tag: Schema.Literal("Closed") })
  )
}))

/**
 * Breaker transitions through Postgres `NOTIFY` (ADR 0012): one notification per transition, never per
 * request. What a replica hears that is not a well-formed bulletin of another process is dropped.
 */
export const layer = Layer.effect(
  BreakerSignal,
  Effect.gen(function*() {
    const pg = yield* PgClient.PgClient
    const self = randomUUID()
    const encode = Schema.encodeSync(Message)
    const decode = Schema.decodeUnknownOption(Message)
    return {
      announce: (bulletin: BreakerBulletin) =>
        pg`select pg_notify(${CHANNEL}, ${encode({ from: self, host: bulletin.host, news: bulletin.news })})`.pipe(
          Effect.asVoid,
          Effect.catchAll((error) => Effect.logWarning("could not tell the other replicas about the upstream breaker", error))
        ),
      heard: probedListen(pg, CHANNEL).pipe(
        Stream.filterMap((payload) =>
          decode(payload).pipe(Option.filter((message) => message.from !== self), Option.map(({ host, news }): BreakerBulletin => ({ host, news })))
        )
      )
    }
  })
)
