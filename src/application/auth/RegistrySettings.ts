import { Context } from "effect"

/** Instance-wide registry settings the use cases read (from configuration). */
export interface RegistrySettingsShape {
  /** `DEPENDENCY_PROXY_ENABLED` */
  readonly instanceEnabled: boolean
  /** How often a token's last use is recorded at most, so the log does not grow per pull. */
  readonly tokenUseIntervalMs: number
  /** How often a read of one cache entry is recorded at most (TTL cleanup reads these). */
  readonly cacheReadIntervalMs: number
}

export class RegistrySettings extends Context.Tag("dependency-proxy/RegistrySettings")<RegistrySettings, RegistrySettingsShape>() {}
