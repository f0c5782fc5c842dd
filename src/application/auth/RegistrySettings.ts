import { Context } from "effect"

/** Instance-wide registry settings the use cases read (from configuration). */
export interface RegistrySettingsShape {
  /** `DEPENDENCY_PROXY_ENABLED` */
  readonly instanceEnabled: boolean
  /** How often a token's last use is recorded at most, so the log does not grow per pull. */
  readonly tokenUseIntervalMs: number
}

export class RegistrySettings extends Context.Tag("dependency-proxy/RegistrySettings")<RegistrySettings, RegistrySettingsShape>() {}
