export interface ProxyConfigOptions {
  readonly port: number
  readonly storageDir: string
  readonly remoteUrl: string
  readonly realm: string
  readonly service: string
  readonly issuer: string
  readonly certPath: string
}

// JSON strings are valid double-quoted YAML scalars, so paths need no escaping rules of their own.
const q = (value: string): string => JSON.stringify(value)

/**
 * distribution 2.8 as a pull-through cache, configured as one would run it in production: token auth (as
 * ours has), the in-memory blob descriptor cache of Debian's default config, and no access log (ours logs
 * nothing per request at LOG_LEVEL=warn either).
 */
export const proxyConfigYaml = (options: ProxyConfigOptions): string =>
  [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${q(options.storageDir)}`,
    "  cache:",
    "    blobdescriptor: inmemory",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: ${q(`127.0.0.1:${options.port}`)}`,
    `  secret: ${q("bench-proxy-http-secret")}`,
    "auth:",
    "  token:",
    `    realm: ${q(options.realm)}`,
    `    service: ${q(options.service)}`,
    `    issuer: ${q(options.issuer)}`,
    `    rootcertbundle: ${q(options.certPath)}`,
    "proxy:",
    `  remoteurl: ${q(options.remoteUrl)}`,
    ""
  ].join("\n")
