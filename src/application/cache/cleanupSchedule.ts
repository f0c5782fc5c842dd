import { Effect, Layer, Option, Schedule } from "effect"
import { CommandMetadata } from "../CommandMetadata.js"
import { systemMetadata } from "../ports/EventStore.js"
import { ClusterLeases } from "../ports/ClusterLeases.js"
import { cleanup } from "./cleanup.js"

/** The lease that lets one replica of several run the TTL job at a time. */
export const CLEANUP_LEASE = "cleanup"

/**
 * One scheduled TTL run, if no other replica is running one now: `None` when this round is left to it. Two
 * runs at once would do no harm to the log (expiry is idempotent) but would double the work and the noise.
 */
export const scheduledCleanup = Effect.gen(function*() {
  const lease = yield* Effect.flatMap(ClusterLeases, (leases) => leases.tryTake(CLEANUP_LEASE))
  if (Option.isNone(lease)) return Option.none()
  return yield* cleanup.pipe(Effect.map(Option.some), Effect.ensuring(lease.value))
})

/**
 * Runs the TTL cleanup every `intervalMs` for as long as the layer lives (the server's lifetime). A failed
 * run is logged and the next one tries again.
 */
export const cleanupScheduleLayer = (intervalMs: number) =>
  Layer.scopedDiscard(
    Effect.forkScoped(
      scheduledCleanup.pipe(
        Effect.tap(Option.match({
          onNone: () => Effect.logInfo("TTL cleanup skipped: another replica is running it"),
          onSome: (result) => Effect.logInfo("TTL cleanup finished", result)
        })),
        Effect.catchAllCause((cause) => Effect.logError("TTL cleanup failed; will try again", cause)),
        Effect.provideService(CommandMetadata, systemMetadata("system:cleanup")),
        Effect.delay(intervalMs),
        Effect.repeat(Schedule.forever)
      )
    )
  )
