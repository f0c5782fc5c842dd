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

/**
 * `stale`: served unconfirmed (upstream failing, over the revalidation budget, or its breaker open);
 * `not_found`: a 404 remembered from upstream answered without asking it again.
 */
export const lookup = (kind: "manifest" | "blob", result: "hit" | "miss" | "stale" | "shared" | "not_found") =>
  Metric.update(cacheLookups.pipe(Metric.tagged("kind", kind), Metric.tagged("result", result)), 1)

/** 1 for the state each upstream's breaker is in, 0 for the others (ADR 0012). */
export const breakerState = Metric.gauge("dependency_proxy_upstream_breaker_state", {
  description: "State of the breaker of each upstream host: 1 for the current one of closed, open, half_open"
})

export const breakerTransitions = Metric.counter("dependency_proxy_upstream_breaker_transitions_total", {
  description: "Changes of an upstream host's breaker, by the state it went to"
})

export const breakerRefusals = Metric.counter("dependency_proxy_upstream_breaker_refused_total", {
  description: "Upstream calls not made because the host's breaker was open"
})
