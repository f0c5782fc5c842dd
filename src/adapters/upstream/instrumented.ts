import { Effect, Layer, Metric } from "effect"
import { rateLimitRemaining, upstreamRequests } from "../../application/metrics.js"
import { UpstreamRegistry, type UpstreamError } from "../../application/ports/UpstreamRegistry.js"

const outcomeOf = (error: UpstreamError): string => {
  switch (error._tag) {
    case "UpstreamNotFound":
      return "not_found"
    case "UpstreamUnavailable":
      // Refused by the breaker: no request reached the upstream.
      return error.refusedByBreaker === true ? "refused" : "unavailable"
    case "UpstreamInvalid":
      return "invalid"
    case "UpstreamCredentialsRejected":
      return "credentials_rejected"
  }
}

/**
 * Counts every call to the upstream by method, kind and outcome, and keeps Docker Hub's remaining rate limit
 * in a gauge: a decorator, so the client itself stays about HTTP.
 */
export const instrumented = <E, R>(inner: Layer.Layer<UpstreamRegistry, E, R>) =>
  Layer.effect(
    UpstreamRegistry,
    Effect.gen(function*() {
      const upstream = yield* UpstreamRegistry
      const count = (method: string, kind: string) => <A>(call: Effect.Effect<A, UpstreamError>) =>
        call.pipe(
          Effect.tapBoth({
            onSuccess: () => Metric.update(upstreamRequests.pipe(Metric.tagged("method", method), Metric.tagged("kind", kind), Metric.tagged("outcome", "ok")), 1),
            onFailure: (e) => Metric.update(upstreamRequests.pipe(Metric.tagged("method", method), Metric.tagged("kind", kind), Metric.tagged("outcome", outcomeOf(e))), 1)
          }),
          Effect.ensuring(upstream.rateLimit.pipe(Effect.flatMap((limit) => Metric.set(rateLimitRemaining, limit.remaining ?? -1))))
        )
      return UpstreamRegistry.of({
        headManifest: (caller, repository, reference, options) => count("HEAD", "manifest")(upstream.headManifest(caller, repository, reference, options)),
        getManifest: (caller, repository, reference) => count("GET", "manifest")(upstream.getManifest(caller, repository, reference)),
        headBlob: (caller, repository, digest) => count("HEAD", "blob")(upstream.headBlob(caller, repository, digest)),
        getBlob: (caller, repository, digest) => count("GET", "blob")(upstream.getBlob(caller, repository, digest)),
        tags: (caller, repository) => count("GET", "tags")(upstream.tags(caller, repository)),
        rateLimit: upstream.rateLimit,
        refusal: upstream.refusal
      })
    })
  ).pipe(Layer.provide(inner))
