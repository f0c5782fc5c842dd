export interface RegistryConfigOptions {
  readonly port: number
  readonly storageDir: string
  readonly realm: string
  readonly service: string
  readonly issuer: string
  readonly certPath: string
}

// JSON strings are valid double-quoted YAML scalars, so paths need no escaping rules of their own.
const q = (value: string): string => JSON.stringify(value)

/**
 * distribution 2.8's config. The access log (stdout) is what tests count; `log.formatter: json` only shapes
 * the app log on stderr. `http.secret` is fixed so a restarted registry still accepts upload URLs it issued.
 */
export const registryConfigYaml = (options: RegistryConfigOptions): string =>
  [
    "version: 0.1",
    "log:",
    "  level: info",
    "  formatter: json",
    "  accesslog:",
    "    disabled: false",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${q(options.storageDir)}`,
    "  delete:",
    "    enabled: true",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: ${q(`127.0.0.1:${options.port}`)}`,
    `  secret: ${q("upstream-fixture-http-secret")}`,
    "auth:",
    "  token:",
    `    realm: ${q(options.realm)}`,
    `    service: ${q(options.service)}`,
    `    issuer: ${q(options.issuer)}`,
    `    rootcertbundle: ${q(options.certPath)}`,
    ""
  ].join("\n")
