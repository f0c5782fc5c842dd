import * as PgClient from "@effect/sql-pg/PgClient"
import { Clock, Effect, Layer, Ref, Schedule, Stream } from "effect"
import { CommitSignal } from "./CommitSignal.js"

const CHANNEL = "dependency_proxy_events"
// Two seconds apart, silence for three probes means the connection is gone: another replica's change may go
// unseen for up to about ten seconds after a database restart, and at no other time.
const PROBE_INTERVAL_MS = 2_000

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
      // @effect/sql-pg ignores errors on its LISTEN connection: after a database restart the stream would stay
      // open and silent for good. A probe sent through the channel every few seconds must come back; when it
      // does not, the stream fails and the store resubscribes on a new connection (catching up as it does).
      heard: Stream.unwrapScoped(Effect.gen(function*() {
        const lastHeard = yield* Ref.make(yield* Clock.currentTimeMillis)
        const probe = Effect.gen(function*() {
          yield* pg`select pg_notify(${CHANNEL}, 'probe')`.pipe(Effect.ignore)
          const silentFor = (yield* Clock.currentTimeMillis) - (yield* Ref.get(lastHeard))
          if (silentFor > 3 * PROBE_INTERVAL_MS) return yield* Effect.fail(new Error(`no notification for ${silentFor} ms: the LISTEN connection is gone`))
        })
        const notifications = pg.listen(CHANNEL).pipe(
          Stream.tap(() => Clock.currentTimeMillis.pipe(Effect.flatMap((now) => Ref.set(lastHeard, now))))
        )
        return Stream.merge(notifications, Stream.drain(Stream.repeatEffectWithSchedule(probe, Schedule.spaced(PROBE_INTERVAL_MS))), { haltStrategy: "either" }).pipe(
          Stream.map(Number),
          Stream.filter((n) => Number.isSafeInteger(n) && n > 0)
        )
      }))
    }
  })
)
