import { Effect, Layer, Option } from "effect"
import { ClusterLeases } from "../../application/ports/ClusterLeases.js"

/**
 * Leases where this process is the only one (embedded PGlite, tests): always granted. Work inside one process
 * is already coordinated in memory (one download per digest, one cleanup schedule).
 */
export const layer = Layer.succeed(ClusterLeases, {
  tryTake: () => Effect.succeed(Option.some(Effect.void))
})
