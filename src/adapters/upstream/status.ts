import { Effect } from "effect"
import { type UpstreamError, UpstreamInvalid, UpstreamNotFound } from "../../application/ports/UpstreamRegistry.js"
import { discard, describeUrl, type Exchanged } from "./exchange.js"
import { headerValue } from "./headers.js"
import { Transient } from "./Transient.js"

/** `Retry-After` as delay-seconds or an HTTP date; null when absent or unreadable. */
export const retryAfterMs = (value: string | undefined, nowMs: number): number | null => {
  if (value === undefined) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs)
}

/**
 * The error for a response that is not the one wanted, after discarding its body: 404 and 401/403 (refused
 * even with a token) say the image is not readable here; 429 and 5xx are worth retrying; anything else is a
 * registry we do not understand.
 */
export const statusError = (response: Exchanged): Effect.Effect<never, UpstreamError | Transient> =>
  Effect.gen(function*() {
    yield* discard(response)
    const status = response.status
    if (status === 404 || status === 401 || status === 403) return yield* new UpstreamNotFound({ status })
    if (status === 429 || status >= 500) {
      const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      return yield* new Transient({
        reason: `${describeUrl(response.url)} answered ${status}`,
        retryAfterMs: retryAfterMs(headerValue(response.headers, "retry-after"), now)
      })
    }
    return yield* new UpstreamInvalid({ reason: `${describeUrl(response.url)} answered an unexpected ${status}` })
  })
