// Subpath imports: the entry point reads the configuration before anything else of Effect is loaded.
import * as Data from "effect/Data"
import * as Either from "effect/Either"

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

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 }

/** `900`, `900s`, `15m` or `1h`; between 1 minute and 1 day. */
const jwtExpiry = (env: Env): Parsed<number> => {
  const raw = value(env, "JWT_EXPIRY")
  if (raw === undefined) return Either.right(900)
  const match = /^(\d+)([smh]?)$/.exec(raw)
  const seconds = match === null ? NaN : Number(match[1]) * (UNITS[match[2] || "s"] ?? 1)
  return seconds >= 60 && seconds <= 86400
    ? Either.right(seconds)
    : invalid("JWT_EXPIRY", "must be a duration from 60s to 24h, like 900, 15m or 1h", raw)
}

/** `3600`, `90m`, `12h` or `1d`; between 1 minute and 30 days. Default: daily. */
const cleanupInterval = (env: Env): Parsed<number> => {
  const raw = value(env, "CLEANUP_INTERVAL")
  if (raw === undefined) return Either.right(86400)
  const match = /^(\d+)([smhd]?)$/.exec(raw)
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[match?.[2] || "s"] ?? 1
  const seconds = match === null ? NaN : Number(match[1]) * unit
  return seconds >= 60 && seconds <= 30 * 86400
    ? Either.right(seconds)
    : invalid("CLEANUP_INTERVAL", "must be a duration from 60s to 30d, like 3600, 12h or 1d", raw)
}

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
    return {
      port: p,
      host,
      externalUrl,
      dataDir: value(env, "DATA_DIR") ?? "./data",
      databaseUrl: yield* databaseUrl(env),
      upstreamUrl: yield* url(env, "UPSTREAM_URL", "https://registry-1.docker.io"),
      jwtExpirySeconds: yield* jwtExpiry(env),
      dependencyProxyEnabled: yield* bool(env, "DEPENDENCY_PROXY_ENABLED", true),
      encryptionKey: yield* encryptionKey(env),
      logLevel: yield* logLevel(env),
      initialRootPassword,
      cleanupIntervalSeconds: yield* cleanupInterval(env)
    }
  })
