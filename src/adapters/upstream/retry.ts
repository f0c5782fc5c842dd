import { Effect } from "effect"
import { type UpstreamError, UpstreamUnavailable } from "../../application/ports/UpstreamRegistry.js"
import type { Transient } from "./Transient.js"

/** What `withRetries(policy)` gives: an attempt in, the same call with `Transient` failures retried out. */
export type Retry = <A>(attempt: Effect.Effect<A, UpstreamError | Transient>) => Effect.Effect<A, UpstreamError>

export interface RetryPolicy {
  readonly retries: number
  readonly retryBaseDelayMs: number
  readonly maxRetryAfterMs: number
}

/**
 * Runs `attempt` again on `Transient` failures, up to `retries` more times, waiting `base · 2^n` between
 * attempts or the upstream's `Retry-After` when it asked for one. A `Retry-After` beyond `maxRetryAfterMs`
 * ends the loop at once: the caller may serve a cached copy instead of waiting. Only what `attempt` covers is
 * retried, so a blob body already handed to the caller is never requested twice.
 */
export const withRetries = (policy: RetryPolicy) =>
<A, R>(attempt: Effect.Effect<A, UpstreamError | Transient, R>): Effect.Effect<A, UpstreamError, R> => {
  const loop = (done: number): Effect.Effect<A, UpstreamError, R> =>
    Effect.catchAll(attempt, (error) => {
      if (error._tag !== "Transient") return Effect.fail(error)
      const after = error.retryAfterMs
      if (done >= policy.retries) {
        return Effect.fail(new UpstreamUnavailable({ reason: error.reason }))
      }
      if (after !== null && after > policy.maxRetryAfterMs) {
        return Effect.fail(new UpstreamUnavailable({ reason: `${error.reason}; Retry-After ${Math.ceil(after / 1000)} s`, retryAfterMs: after }))
      }
      const delayMs = after ?? policy.retryBaseDelayMs * 2 ** done
      return Effect.logDebug("upstream attempt failed, retrying", { reason: error.reason, attempt: done + 1, delayMs }).pipe(
        Effect.zipRight(Effect.sleep(delayMs)),
        Effect.zipRight(loop(done + 1))
      )
    })
  return loop(0)
}
