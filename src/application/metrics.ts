import { Metric } from "effect"

/**
 * The service's own metrics (SPEC §8), as Effect metrics so the application needs no framework; the HTTP
 * adapter exposes them at `/metrics` in Prometheus' format. Label sets are bounded: kinds, results and
 * methods, never repositories, digests or users.
 */
export const cacheLookups = Metric.counter("dependency_proxy_cache_lookups_total", {
  description: "Manifest and blob requests by how the cache answered: hit, miss (fetched) or stale (upstream failing)"
})

export const upstreamRequests = Metric.counter("dependency_proxy_upstream_requests_total", {
  description: "Requests to the upstream registry by method, kind and outcome"
})

export const bytesFetched = Metric.counter("dependency_proxy_upstream_bytes_fetched_total", {
  description: "Blob bytes downloaded from the upstream registry"
})

export const downloadsInFlight = Metric.gauge("dependency_proxy_downloads_in_flight", {
  description: "Blob downloads from upstream in progress"
})

export const coalescedWaiters = Metric.counter("dependency_proxy_coalesced_waiters_total", {
  description: "Requests that joined a blob download already in progress instead of starting another"
})

export const rateLimitRemaining = Metric.gauge("dependency_proxy_upstream_ratelimit_remaining", {
  description: "Docker Hub's RateLimit-Remaining as last reported (-1 when never reported)"
})

/** Time to append a command's events, transaction included, in milliseconds. */
export const appendLatency = Metric.timerWithBoundaries(
  "dependency_proxy_event_store_append_milliseconds",
  [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]
)

export const lookup = (kind: "manifest" | "blob", result: "hit" | "miss" | "stale" | "shared") =>
  Metric.update(cacheLookups.pipe(Metric.tagged("kind", kind), Metric.tagged("result", result)), 1)
