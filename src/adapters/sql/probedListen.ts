import type * as PgClient from "@effect/sql-pg/PgClient"
import { Clock, Effect, Ref, Schedule, Stream } from "effect"

// Two seconds apart, silence for three probes, and no echo of the next one within another interval, means the
// connection is gone: a notification may go unheard for up to about ten seconds after a database restart, and
// at no other time.
const PROBE_INTERVAL_MS = 2_000
/** The payload of a probe; listeners drop it. */
export const PROBE = "probe"

/**
 * `LISTEN channel` that fails when its connection is gone. @effect/sql-pg ignores errors on its LISTEN
 * connection: after a database restart the stream would stay open and silent for good. A probe sent through
 * the channel every few seconds must come back; when it does not, the stream fails and the caller subscribes
 * again on a new connection. Payloads come as sent, probes included.
 */
export const probedListen = (pg: PgClient.PgClient, channel: string): Stream.Stream<string, Error> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const lastHeard = yield* Ref.make(yield* Clock.currentTimeMillis)
    const probe = Effect.gen(function*() {
      const sentAt = yield* Clock.currentTimeMillis
      yield* pg`select pg_notify(${channel}, ${PROBE})`.pipe(Effect.ignore)
      if (sentAt - (yield* Ref.get(lastHeard)) <= 3 * PROBE_INTERVAL_MS) return
      // Long silent, but maybe only because this process's thread was busy (a replay sorting half a million
      // documents, an audit comparing them) and the echoes wait unread in the socket: give this probe's echo an
      // interval to be heard before calling the connection gone.
      yield* Effect.sleep(PROBE_INTERVAL_MS)
      const heardAt = yield* Ref.get(lastHeard)
      if (heardAt < sentAt) {
        const silentFor = (yield* Clock.currentTimeMillis) - heardAt
        return yield* Effect.fail(new Error(`no notification for ${silentFor} ms: the LISTEN connection is gone`))
      }
    })
    const notifications = pg.listen(channel).pipe(
      Stream.tap(() => Clock.currentTimeMillis.pipe(Effect.flatMap((now) => Ref.set(lastHeard, now))))
    )
    return Stream.merge(notifications, Stream.drain(Stream.repeatEffectWithSchedule(probe, Schedule.spaced(PROBE_INTERVAL_MS))), { haltStrategy: "either" })
  }))
