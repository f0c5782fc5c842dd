import type { Readable } from "node:stream"
import { Duration, Effect, Metric } from "effect"

/**
 * Requests to S3 by operation (`GetObject`, `UploadPart`, …) and outcome: `ok` (an expected status, 404 on a
 * HEAD included, and its body read to the end or dropped by us), `client_error` (another 4xx), `server_error`
 * (5xx), `unreachable` (no answer: refused, reset, timed out before the headers), `body_timeout` (the answer
 * began, then its body stalled past S3_TIMEOUT), `body_failed` (the body was cut: reset, closed early). Bounded
 * labels: operations are ours, never keys or buckets.
 */
const requests = Metric.counter("dependency_proxy_s3_requests_total", {
  description: "Requests to the S3 bucket by operation and outcome (ok, client_error, server_error, unreachable, body_timeout, body_failed)"
})

/** Time to S3's response headers (or to giving up), in milliseconds, by operation. */
const latency = Metric.timerWithBoundaries("dependency_proxy_s3_request_milliseconds", [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000])

export type S3Outcome = "ok" | "client_error" | "server_error" | "unreachable" | "body_timeout" | "body_failed"

export const outcomeOf = (status: number, expected: ReadonlyArray<number>): S3Outcome =>
  status === 0 ? "unreachable" : expected.includes(status) ? "ok" : status >= 500 ? "server_error" : "client_error"

/** Called from the client's promise code, so the metric updates are run right here. */
const countRequest = (operation: string, outcome: S3Outcome): void =>
  Effect.runSync(Metric.update(requests.pipe(Metric.tagged("operation", operation), Metric.tagged("outcome", outcome)), 1))

const recordLatency = (operation: string, elapsedMs: number): void =>
  Effect.runSync(Metric.update(latency.pipe(Metric.tagged("operation", operation)), Duration.millis(elapsedMs)))

/** Counts one request that ended with its headers (a failure, or no answer at all). */
export const recordS3Request = (operation: string, outcome: S3Outcome, elapsedMs: number): void => {
  recordLatency(operation, elapsedMs)
  countRequest(operation, outcome)
}

/** undici's error when no body byte came within `bodyTimeout`. */
const isBodyTimeout = (cause: unknown) =>
  cause instanceof Error && "code" in cause && cause.code === "UND_ERR_BODY_TIMEOUT"

/**
 * Counts a request S3 answered as expected once its body is done: a GetObject that stalls mid-body is a
 * failure, though its headers came in time. Its latency is the time to the headers, recorded now. A body
 * destroyed without an error is ours to drop (a client went away, or we needed no more): `ok`.
 */
export const recordS3Answer = (operation: string, elapsedMs: number, body: Readable): void => {
  recordLatency(operation, elapsedMs)
  let counted = false
  const count = (outcome: S3Outcome) => {
    if (counted) return
    counted = true
    countRequest(operation, outcome)
  }
  body.once("error", (cause: unknown) => count(isBodyTimeout(cause) ? "body_timeout" : "body_failed"))
  body.once("close", () => count("ok"))
}
