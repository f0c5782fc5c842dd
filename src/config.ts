// Subpath imports: the entry point reads the configuration before anything else of Effect is loaded.
import * as Either from "effect/Either"
import { type BlobStorage, blobStorage } from "./config/blobStorage.js"
import { bool, ConfigInvalid, duration, type Env, invalid, type Parsed, seconds, url, value } from "./config/envValues.js"
import { peerUrl } from "./config/peerUrl.js"
import { trustedProxies } from "./config/trustedProxies.js"
import { type UpstreamResilience, upstreamResilience } from "./config/upstreamResilience.js"

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace"

export interface Config {
  readonly port: number
  readonly host: string
  readonly externalUrl: string
  readonly dataDir: string
  readonly databaseUrl: string | null
  readonly upstreamUrl: string
  readonly jwtExpirySeconds: number
  readonly dependencyProxyEnabled: boolean
  /** 32 bytes; null means "generate once into DATA_DIR". */
  readonly encryptionKey: Buffer | null
  readonly logLevel: LogLevel
  readonly initialRootPassword: string | null
  /** How often the TTL cleanup runs in `serve`. */
  readonly cleanupIntervalSeconds: number
  /** The upstream's breaker, the revalidation budget and remembered 404s (ADR 0012). */
  readonly upstream: UpstreamResilience
  /** Where blob bytes live: files under DATA_DIR (the default) or an S3-compatible bucket (ADR 0017). */
  readonly blobStorage: BlobStorage
  /** Where the other replicas reach this one for its blob transfers in progress (ADR 0025); no path. */
  readonly peerUrl: string
  /** `TRUSTED_PROXIES`: the balancers whose `X-Forwarded-For` names the client (config/trustedProxies.ts). */
  readonly trustedProxies: ReadonlyArray<string>
  /** `SHUTDOWN_TIMEOUT`: how long requests in flight may take to finish once `serve` is told to stop. */
  readonly shutdownTimeoutSeconds: number
}

const port = (env: Env): Parsed<number> => {
  const raw = value(env, "PORT")
  if (raw === undefined) return Either.right(5000)
  const n = Number(raw)
  return /^\d+$/.test(raw) && n >= 1 && n <= 65535 ? Either.right(n) : invalid("PORT", "must be an integer from 1 to 65535", raw)
}

/** 64 hex characters or base64 of 32 bytes. */
const encryptionKey = (env: Env): Parsed<Buffer | null> => {
  const raw = value(env, "ENCRYPTION_KEY")
  if (raw === undefined) return Either.right(null)
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, "hex") : Buffer.from(raw, "base64")
  // Not echoing the value: it is a secret.
  return key.length === 32
    ? Either.right(key)
    : Either.left(new ConfigInvalid({ variable: "ENCRYPTION_KEY", message: "ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64" }))
}

const LEVELS: ReadonlyArray<LogLevel> = ["fatal", "error", "warn", "info", "debug", "trace"]
const logLevel = (env: Env): Parsed<LogLevel> => {
  const raw = value(env, "LOG_LEVEL") ?? "info"
  const level = LEVELS.find((l) => l === raw.toLowerCase())
  return level === undefined ? invalid("LOG_LEVEL", `must be one of ${LEVELS.join(", ")}`, raw) : Either.right(level)
}

const databaseUrl = (env: Env): Parsed<string | null> => {
  const raw = value(env, "DATABASE_URL")
  if (raw === undefined) return Either.right(null)
  return /^postgres(ql)?:\/\//.test(raw)
    ? Either.right(raw)
    : Either.left(new ConfigInvalid({ variable: "DATABASE_URL", message: "DATABASE_URL must be a postgres:// or postgresql:// URL" }))
}

/** Reads and checks the whole configuration; the first bad value is reported by name. */
export const parseConfig = (env: Env): Parsed<Config> =>
  Either.gen(function*() {
    const p = yield* port(env)
    const host = value(env, "HOST") ?? "0.0.0.0"
    const externalUrl = yield* url(env, "EXTERNAL_URL", `http://localhost:${p}`)
    const initialRootPassword = value(env, "INITIAL_ROOT_PASSWORD") ?? null
    if (initialRootPassword !== null && initialRootPassword.length < 8) {
      return yield* Either.left(new ConfigInvalid({ variable: "INITIAL_ROOT_PASSWORD", message: "INITIAL_ROOT_PASSWORD must be at least 8 characters" }))
    }
    const storage = yield* blobStorage(env)
    const database = yield* databaseUrl(env)
    const sealing = yield* encryptionKey(env)
    // Replicas on S3 share no DATA_DIR, so the key sealing their shared secrets must be configuration (ADR 0024).
    if (storage.kind === "s3" && database !== null && sealing === null) {
      return yield* Either.left(new ConfigInvalid({ variable: "ENCRYPTION_KEY", message: "ENCRYPTION_KEY must be set when BLOB_STORAGE=s3 and DATABASE_URL are: replicas share no DATA_DIR to keep one in" }))
    }
    return {
      port: p,
      host,
      externalUrl,
      dataDir: value(env, "DATA_DIR") ?? "./data",
      databaseUrl: database,
      upstreamUrl: yield* url(env, "UPSTREAM_URL", "https://registry-1.docker.io"),
      jwtExpirySeconds: yield* seconds(duration(env, "JWT_EXPIRY", 900_000, 60_000, 86_400_000, "60s to 24h, like 900, 15m or 1h")),
      dependencyProxyEnabled: yield* bool(env, "DEPENDENCY_PROXY_ENABLED", true),
      encryptionKey: sealing,
      logLevel: yield* logLevel(env),
      initialRootPassword,
      cleanupIntervalSeconds: yield* seconds(duration(env, "CLEANUP_INTERVAL", 86_400_000, 60_000, 30 * 86_400_000, "60s to 30d, like 3600, 12h or 1d")),
      upstream: yield* upstreamResilience(env),
      blobStorage: storage,
      peerUrl: yield* peerUrl(env, p, host),
      trustedProxies: yield* trustedProxies(env),
      // Under Kubernetes' default 30 s grace, so the log says what was cut off before the kill comes.
      shutdownTimeoutSeconds: yield* seconds(duration(env, "SHUTDOWN_TIMEOUT", 25_000, 1_000, 3_600_000, "1s to 1h, like 25, 90s or 5m"))
    }
  })
