import { Data } from "effect"

/**
 * A failure worth another attempt (network error, timeout, 429, 5xx). Internal to the adapter: the retry
 * loop turns it into `UpstreamUnavailable` once the attempts are spent. `reason` never holds a secret.
 */
export class Transient extends Data.TaggedError("Transient")<{
  readonly reason: string
  /** What the upstream asked for in `Retry-After`, if anything. */
  readonly retryAfterMs: number | null
}> {}
