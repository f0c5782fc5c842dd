// Subpath imports: the entry point reads the configuration before anything else of Effect is loaded.
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import { hostname } from "node:os"

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
}

export type BlobStorage =
  | { readonly kind: "filesystem" }
  | {
    readonly kind: "s3"
    readonly endpoint: string
    readonly bucket: string
    readonly region: string
    readonly accessKeyId: string
    readonly secretAccessKey: string
    readonly forcePathStyle: boolean
    /** Per-request timeout towards S3. */
    readonly timeoutMs: number
    /** Cache hits answered with a pre-signed GET redirect (307) instead of proxied bytes (S3_REDIRECT). */
    readonly redirect: boolean
  }

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

/** A configuration value that cannot be used; the CLI prints the message and exits with code 2. */
export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{ readonly variable: string; readonly message: string }> {}

type Env = Readonly<Record<string, string | undefined>>
type Parsed<A> = Either.Either<A, ConfigInvalid>

const invalid = (variable: string, message: string, got: string) =>
  Either.left(new ConfigInvalid({ variable, message: `${variable} ${message} (got ${JSON.stringify(got)})` }))

const value = (env: Env, name: string): string | undefined => {
  const v = env[name]
  return v === undefined || v.trim() === "" ? undefined : v.trim()
}

const port = (env: Env): Parsed<number> => {
  const raw = value(env, "PORT")
  if (raw === undefined) return Either.right(5000)
  const n = Number(raw)
  return /^\d+$/.test(raw) && n >= 1 && n <= 65535 ? Either.right(n) : invalid("PORT", "must be an integer from 1 to 65535", raw)
}

const url = (env: Env, name: string, fallback: string): Parsed<string> => {
  const raw = value(env, name) ?? fallback
  try {
    const parsed = new URL(raw)
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return invalid(name, "must be an http or https URL", raw)
    return Either.right(raw.replace(/\/+$/, ""))
  } catch {
    return invalid(name, "must be an absolute http or https URL", raw)
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A duration in milliseconds: a number of seconds (`900`, `1.5`) or one with a unit (`1500ms`, `2s`, `15m`,
 * `12h`, `1d`), within `[minMs, maxMs]`; otherwise the variable is named with `rule` and what was given.
 */
const duration = (env: Env, name: string, fallbackMs: number, minMs: number, maxMs: number, rule: string): Parsed<number> => {
  const raw = value(env, name)
  if (raw === undefined) return Either.right(fallbackMs)
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw)
  const ms = match === null ? NaN : Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? "s"] ?? NaN))
  return ms >= minMs && ms <= maxMs ? Either.right(ms) : invalid(name, `must be a duration from ${rule}`, raw)
}

const seconds = (ms: Parsed<number>): Parsed<number> => Either.map(ms, (n) => Math.round(n / 1000))

/** A count from `min` to `max`. */
const count = (env: Env, name: string, fallback: number, min: number, max: number): Parsed<number> => {
  const raw = value(env, name)
  if (raw === undefined) return Either.right(fallback)
  const n = Number(raw)
  return /^\d+$/.test(raw) && n >= min && n <= max ? Either.right(n) : invalid(name, `must be an integer from ${min} to ${max}`, raw)
}

const upstreamResilience = (env: Env): Parsed<UpstreamResilience> =>
  Either.all({
    revalidationBudgetMs: duration(env, "UPSTREAM_REVALIDATION_BUDGET", 2_000, 100, 30_000, "100ms to 30s, like 2s or 1500ms"),
    breakerFailures: count(env, "UPSTREAM_BREAKER_FAILURES", 5, 0, 1000),
    breakerCooldownMs: duration(env, "UPSTREAM_BREAKER_COOLDOWN", 15_000, 1_000, 3_600_000, "1s to 1h, like 15s or 2m"),
    breakerSlowCallMs: duration(env, "UPSTREAM_BREAKER_SLOW_CALL", 3_000, 100, 120_000, "100ms to 120s, like 3s or 2500ms"),
    notFoundTtlMs: duration(env, "UPSTREAM_NOT_FOUND_TTL", 60_000, 0, 3_600_000, "0 (off) to 1h, like 60s or 5m")
  })

const bool = (env: Env, name: string, fallback: boolean): Parsed<boolean> => {
  const raw = value(env, name)
  if (raw === undefined) return Either.right(fallback)
  if (/^(true|1|yes|on)$/i.test(raw)) return Either.right(true)
  if (/^(false|0|no|off)$/i.test(raw)) return Either.right(false)
  return invalid(name, "must be true or false", raw)
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

const required = (env: Env, name: string, why: string): Parsed<string> => {
  const raw = value(env, name)
  return raw === undefined
    ? Either.left(new ConfigInvalid({ variable: name, message: `${name} must be set ${why}` }))
    : Either.right(raw)
}

/** S3's bucket naming rules: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending alphanumeric. */
const bucketName = (env: Env): Parsed<string> =>
  Either.flatMap(required(env, "S3_BUCKET", "when BLOB_STORAGE=s3"), (raw) =>
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(raw) ? Either.right(raw) : invalid("S3_BUCKET", "must be an S3 bucket name (3–63 of a-z 0-9 . -)", raw))

const blobStorage = (env: Env): Parsed<BlobStorage> =>
  Either.gen(function*() {
    const kind = (value(env, "BLOB_STORAGE") ?? "filesystem").toLowerCase()
    if (kind === "filesystem") return { kind: "filesystem" } as const
    if (kind !== "s3") return yield* invalid("BLOB_STORAGE", "must be filesystem or s3", kind)
    const when = "when BLOB_STORAGE=s3"
    yield* required(env, "S3_ENDPOINT", when)
    return {
      kind: "s3",
      endpoint: yield* url(env, "S3_ENDPOINT", ""),
      bucket: yield* bucketName(env),
      region: value(env, "S3_REGION") ?? "us-east-1",
      accessKeyId: yield* required(env, "S3_ACCESS_KEY_ID", when),
      // Never echoed: a secret.
      secretAccessKey: yield* required(env, "S3_SECRET_ACCESS_KEY", when),
      forcePathStyle: yield* bool(env, "S3_FORCE_PATH_STYLE", false),
      timeoutMs: yield* duration(env, "S3_TIMEOUT", 30_000, 1_000, 600_000, "1s to 10m, like 30s"),
      redirect: yield* bool(env, "S3_REDIRECT", false)
    } as const
  })

/**
 * `PEER_URL`: an origin only (`http(s)://host[:port]`), since peers sign the route's path as this process sees
 * it. By default this host's name (or HOST, when it is one address) and PORT.
 */
const peerUrl = (env: Env, p: number, host: string): Parsed<string> => {
  const own = host === "0.0.0.0" || host === "::" ? hostname() : host.includes(":") ? `[${host}]` : host
  return Either.flatMap(url(env, "PEER_URL", `http://${own}:${p}`), (raw) => {
    const parsed = new URL(raw)
    return parsed.pathname === "/" && parsed.search === "" && parsed.hash === "" && parsed.username === "" && parsed.password === ""
      ? Either.right(parsed.origin)
      : invalid("PEER_URL", "must be an http or https origin, like http://replica-1:5000, with no path, query or credentials", raw)
  })
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
      peerUrl: yield* peerUrl(env, p, host)
    }
  })
