import { Duration, Effect, Layer, Ref } from "effect"
import { Agent } from "undici"
import { type RateLimit, type UpstreamError, UpstreamRegistry } from "../../application/ports/UpstreamRegistry.js"
import { UpstreamBreakers } from "../../application/upstream/UpstreamBreakers.js"
import { getBlob, headBlob } from "./blobs.js"
import { guardAttempts } from "./breakerGuard.js"
import { makeClient } from "./client.js"
import { getManifest, headManifest } from "./manifests.js"
import { type ResolvedOptions, resolveOptions, type UpstreamOptions } from "./options.js"
import { type Retry, withRetries } from "./retry.js"
import { tags } from "./tags.js"
import { makeTokenCache } from "./tokenCache.js"
import type { Transient } from "./Transient.js"

export type { UpstreamOptions } from "./options.js"

/** How long closing waits for requests in flight (an unread blob stream would hold it forever). */
const CLOSE_GRACE = Duration.seconds(5)

const agentFor = (options: ResolvedOptions) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      new Agent({
        connectTimeout: options.connectTimeoutMs,
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs
      })
    ),
    (agent) =>
      Effect.tryPromise(() => agent.close()).pipe(
        Effect.timeout(CLOSE_GRACE),
        Effect.catchAll((error) =>
          Effect.logWarning(`upstream connections did not close in time, destroying them: ${error._tag}`).pipe(
            Effect.zipRight(Effect.tryPromise(() => agent.destroy())),
            Effect.catchAll((destroyError) => Effect.logWarning("could not destroy the upstream connections", destroyError))
          )
        )
      )
  )

/**
 * The upstream registry over undici: one connection pool per origin (registry, token server, CDN) in one
 * `Agent` carrying the timeouts, closed with the layer's scope. Every attempt goes through the breaker of the
 * registry's host (ADR 0012), which also answers for its token endpoint and redirects.
 */
export const layer = (options: UpstreamOptions): Layer.Layer<UpstreamRegistry, never, UpstreamBreakers> =>
  Layer.scoped(
    UpstreamRegistry,
    Effect.gen(function*() {
      const resolved = resolveOptions(options)
      // Not echoed: a URL may carry userinfo (`https://user:password@host`).
      if (!URL.canParse(resolved.url)) return yield* Effect.dieMessage("the upstream URL is not a valid URL")
      const agent = yield* agentFor(resolved)
      const rateLimit = yield* Ref.make<RateLimit>({ limit: null, remaining: null })
      const tokenCache = yield* makeTokenCache<UpstreamError | Transient>()
      const base = new URL(resolved.url)
      const client = makeClient(agent, base, rateLimit, tokenCache)
      const breakers = yield* UpstreamBreakers
      const guarded = guardAttempts(breakers, base.host)
      const retrying = withRetries(resolved)
      const retry: Retry = (attempt) => retrying(guarded(attempt))
      const once = withRetries({ ...resolved, retries: 0 })
      const single: Retry = (attempt) => once(guarded(attempt))
      return {
        headManifest: headManifest(client, retry, single),
        getManifest: getManifest(client, retry),
        headBlob: headBlob(client, retry),
        getBlob: getBlob(client, retry),
        tags: tags(client, retry),
        rateLimit: Ref.get(rateLimit),
        refusal: breakers.refusal(base.host)
      }
    })
  )
