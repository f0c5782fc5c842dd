import { Effect, Layer, Schedule } from "effect"
import { CommandMetadata } from "../CommandMetadata.js"
import { systemMetadata } from "../ports/EventStore.js"
import { cleanup } from "./cleanup.js"

/**
 * Runs the TTL cleanup every `intervalMs` for as long as the layer lives (the server's lifetime). A failed
 * run is logged and the next one tries again.
 */
export const cleanupScheduleLayer = (intervalMs: number) =>
  Layer.scopedDiscard(
    Effect.forkScoped(
      cleanup.pipe(
        Effect.tap((result) => Effect.logInfo("TTL cleanup finished", result)),
        Effect.catchAllCause((cause) => Effect.logError("TTL cleanup failed; will try again", cause)),
        Effect.provideService(CommandMetadata, systemMetadata("system:cleanup")),
        Effect.delay(intervalMs),
        Effect.repeat(Schedule.forever)
      )
    )
  )
