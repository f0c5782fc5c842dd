import { Duration, Effect, Layer, Ref } from "effect"
import { Agent } from "undici"
import { type RateLimit, type UpstreamError, UpstreamRegistry } from "../../application/ports/UpstreamRegistry.js"
import { getBlob, headBlob } from "./blobs.js"
import { makeClient } from "./client.js"
import { getManifest, headManifest } from "./manifests.js"
import { type ResolvedOptions, resolveOptions, type UpstreamOptions } from "./options.js"
import { withRetries } from "./retry.js"
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
 * `Agent` carrying the timeouts, closed with the layer's scope.
 */
export const layer = (options: UpstreamOptions): Layer.Layer<UpstreamRegistry> =>
  Layer.scoped(
    UpstreamRegistry,
    Effect.gen(function*() {
      const resolved = resolveOptions(options)
      // Not echoed: a URL may carry userinfo (`https://user:password@host`).
      if (!URL.canParse(resolved.url)) return yield* Effect.dieMessage("the upstream URL is not a valid URL")
      const agent = yield* agentFor(resolved)
      const rateLimit = yield* Ref.make<RateLimit>({ limit: null, remaining: null })
      const tokenCache = yield* makeTokenCache<UpstreamError | Transient>()
      const client = makeClient(agent, new URL(resolved.url), rateLimit, tokenCache)
      const retry = withRetries(resolved)
      return {
        headManifest: headManifest(client, retry),
        getManifest: getManifest(client, retry),
        headBlob: headBlob(client, retry),
        getBlob: getBlob(client, retry),
        tags: tags(client, retry),
        rateLimit: Ref.get(rateLimit)
      }
    })
  )
