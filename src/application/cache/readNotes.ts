import { Clock, Effect } from "effect"
import { RegistrySettings } from "../auth/RegistrySettings.js"
import type { CommandMetadata } from "../CommandMetadata.js"
import type { EventStore } from "../ports/EventStore.js"

/**
 * Records a hit for TTL cleanup when the view says one is due; the decider makes concurrent hits agree on
 * one event. Bookkeeping: a failure is logged, never turned into a failed pull.
 */
export const readNotes = Effect.gen(function*() {
  const settings = yield* RegistrySettings
  const services = yield* Effect.context<EventStore>()
  return <E>(lastReadAt: Date, record: (now: Date) => Effect.Effect<unknown, E, CommandMetadata | EventStore>) =>
    Clock.currentTimeMillis.pipe(
      Effect.flatMap((now) =>
        now - lastReadAt.getTime() < settings.cacheReadIntervalMs
          ? Effect.void
          : record(new Date(now)).pipe(Effect.provide(services), Effect.asVoid)
      ),
      Effect.catchAll((error) => Effect.logWarning("could not record a cache read", error))
    )
})
