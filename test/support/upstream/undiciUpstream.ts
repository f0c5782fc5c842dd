import { Context, Effect, Layer, type Scope } from "effect"
import * as SoleProcessBreakerSignal from "../../../src/adapters/memory/SoleProcessBreakerSignal.js"
import { layer, type UpstreamOptions } from "../../../src/adapters/upstream/UndiciUpstreamRegistry.js"
import { type UpstreamCaller, UpstreamRegistry, type UpstreamRegistryShape } from "../../../src/application/ports/UpstreamRegistry.js"
import { UpstreamBreakers, upstreamBreakersLayer, type UpstreamBreakersShape } from "../../../src/application/upstream/UpstreamBreakers.js"
import type { BreakerPolicy } from "../../../src/domain/upstream/breaker.js"

export const ANONYMOUS: UpstreamCaller = { groupId: 1, credentials: null }

/** No breaker: these tests count the adapter's own attempts, retries included. */
export const BREAKER_OFF: BreakerPolicy = { failureThreshold: 0, cooldownMs: 1_000, slowCallMs: 60_000 }

/** The adapter against `url`, living as long as the test's scope; retries are quick unless told otherwise. */
export const upstreamAt = (url: string, options: Partial<UpstreamOptions> = {}, breaker: BreakerPolicy = BREAKER_OFF): Effect.Effect<UpstreamRegistryShape, never, Scope.Scope> =>
  upstreamWithBreakers(url, options, breaker).pipe(Effect.map(({ upstream }) => upstream))

/** The adapter and its breakers, to watch them from a test. */
export const upstreamWithBreakers = (
  url: string,
  options: Partial<UpstreamOptions>,
  breaker: BreakerPolicy
): Effect.Effect<{ readonly upstream: UpstreamRegistryShape; readonly breakers: UpstreamBreakersShape }, never, Scope.Scope> =>
  Layer.build(
    layer({ retryBaseDelayMs: 5, ...options, url }).pipe(
      Layer.provideMerge(upstreamBreakersLayer(breaker)),
      Layer.provide(SoleProcessBreakerSignal.layer)
    )
  ).pipe(Effect.map((context) => ({ upstream: Context.get(context, UpstreamRegistry), breakers: Context.get(context, UpstreamBreakers) })))
