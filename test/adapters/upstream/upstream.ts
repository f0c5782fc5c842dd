import { Context, Effect, Layer, type Scope } from "effect"
import { layer, type UpstreamOptions } from "../../../src/adapters/upstream/UndiciUpstreamRegistry.js"
import { type UpstreamCaller, UpstreamRegistry, type UpstreamRegistryShape } from "../../../src/application/ports/UpstreamRegistry.js"

export const ANONYMOUS: UpstreamCaller = { groupId: 1, credentials: null }

/** The adapter against `url`, living as long as the test's scope; retries are quick unless told otherwise. */
export const upstreamAt = (url: string, options: Partial<UpstreamOptions> = {}): Effect.Effect<UpstreamRegistryShape, never, Scope.Scope> =>
  Layer.build(layer({ retryBaseDelayMs: 5, ...options, url })).pipe(Effect.map(Context.get(UpstreamRegistry)))
