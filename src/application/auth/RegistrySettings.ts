import { Context } from "effect"

/** Instance-wide registry settings the use cases read (from configuration). */
export interface RegistrySettingsShape {
  /** `DEPENDENCY_PROXY_ENABLED` */
  readonly instanceEnabled: boolean
  /** How often a token's last use is recorded at most, so the log does not grow per pull. */
  readonly tokenUseIntervalMs: number
  /** How often a read of one cache entry is recorded at most (TTL cleanup reads these). */
  readonly cacheReadIntervalMs: number
  /** How long a pull of a cached tag waits for upstream's HEAD before serving the cached copy (ADR 0012). */
  readonly revalidationBudgetMs: number
  /** How long an upstream 404 for a tag is remembered per group; 0 remembers nothing. */
  readonly notFoundTtlMs: number
}

export class RegistrySettings extends Context.Tag("dependency-proxy/RegistrySettings")<RegistrySettings, RegistrySettingsShape>() {}
