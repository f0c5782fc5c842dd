/** How to reach the upstream registry; every duration in milliseconds. */
export interface UpstreamOptions {
  /** The registry's base URL, e.g. `https://registry-1.docker.io`. */
  readonly url: string
  readonly connectTimeoutMs?: number
  /** From sending a request to its response headers. */
  readonly headersTimeoutMs?: number
  /** The longest silence while a body streams (idle, not total: blobs may take minutes). */
  readonly bodyTimeoutMs?: number
  /** Further attempts after the first for network errors, 429 and 5xx. */
  readonly retries?: number
  /** The first backoff; each further retry doubles it. */
  readonly retryBaseDelayMs?: number
  /** A `Retry-After` longer than this ends the retries: the caller is better served stale than kept waiting. */
  readonly maxRetryAfterMs?: number
}

export type ResolvedOptions = Required<UpstreamOptions>

export const resolveOptions = (options: UpstreamOptions): ResolvedOptions => ({
  url: options.url,
  connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
  headersTimeoutMs: options.headersTimeoutMs ?? 30_000,
  bodyTimeoutMs: options.bodyTimeoutMs ?? 60_000,
  retries: options.retries ?? 2,
  retryBaseDelayMs: options.retryBaseDelayMs ?? 200,
  maxRetryAfterMs: options.maxRetryAfterMs ?? 5_000
})
