import { Effect, Layer, Stream } from "effect"
import { BreakerSignal } from "../../application/ports/BreakerSignal.js"

/** One process (embedded PGlite, tests): there is no other replica to tell or to hear from. */
export const layer = Layer.succeed(BreakerSignal, { announce: () => Effect.void, heard: Stream.never })
