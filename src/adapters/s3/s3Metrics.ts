import { Duration, Effect, Metric } from "effect"

/**
 * Requests to S3 by operation (`GetObject`, `UploadPart`, …) and outcome: `ok` (an expected status, 404 on a
 * HEAD included), `client_error` (another 4xx), `server_error` (5xx), `unreachable` (no answer: refused,
 * reset, timed out). Bounded labels: operations are ours, never keys or buckets.
 */
const requests = Metric.counter("dependency_proxy_s3_requests_total", {
  description: "Requests to the S3 bucket by operation and outcome (ok, client_error, server_error, unreachable)"
})

/** Time to S3's response headers (or to giving up), in milliseconds, by operation. */
const latency = Metric.timerWithBoundaries("dependency_proxy_s3_request_milliseconds", [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000])

export type S3Outcome = "ok" | "client_error" | "server_error" | "unreachable"

export const outcomeOf = (status: number, expected: ReadonlyArray<number>): S3Outcome =>
  status === 0 ? "unreachable" : expected.includes(status) ? "ok" : status >= 500 ? "server_error" : "client_error"

/** Counts one request; called from the client's promise code, so the metric update is run right here. */
export const recordS3Request = (operation: string, outcome: S3Outcome, elapsedMs: number): void =>
  Effect.runSync(Effect.all([
    Metric.update(requests.pipe(Metric.tagged("operation", operation), Metric.tagged("outcome", outcome)), 1),
    Metric.update(latency.pipe(Metric.tagged("operation", operation)), Duration.millis(elapsedMs))
  ], { discard: true }))
