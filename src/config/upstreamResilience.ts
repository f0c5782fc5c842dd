// Subpath imports: the entry point reads the configuration before anything else of Effect is loaded.
import * as Either from "effect/Either"
import { count, duration, type Env, type Parsed } from "./envValues.js"

export interface UpstreamResilience {
  /** How long a pull of a cached tag waits for upstream's HEAD before serving the cached copy. */
  readonly revalidationBudgetMs: number
  /** Consecutive failed attempts that open the breaker; 0 turns it off. */
  readonly breakerFailures: number
  /** How long an open breaker refuses before one probe. */
  readonly breakerCooldownMs: number
  /** An attempt unanswered this long counts as failed. */
  readonly breakerSlowCallMs: number
  /** How long an upstream 404 for a tag is remembered per group; 0 remembers nothing. */
  readonly notFoundTtlMs: number
}

export const upstreamResilience = (env: Env): Parsed<UpstreamResilience> =>
  Either.all({
    revalidationBudgetMs: duration(env, "UPSTREAM_REVALIDATION_BUDGET", 2_000, 100, 30_000, "100ms to 30s, like 2s or 1500ms"),
    breakerFailures: count(env, "UPSTREAM_BREAKER_FAILURES", 5, 0, 1000),
    breakerCooldownMs: duration(env, "UPSTREAM_BREAKER_COOLDOWN", 15_000, 1_000, 3_600_000, "1s to 1h, like 15s or 2m"),
    breakerSlowCallMs: duration(env, "UPSTREAM_BREAKER_SLOW_CALL", 3_000, 100, 120_000, "100ms to 120s, like 3s or 2500ms"),
    notFoundTtlMs: duration(env, "UPSTREAM_NOT_FOUND_TTL", 60_000, 0, 3_600_000, "0 (off) to 1h, like 60s or 5m")
  })

