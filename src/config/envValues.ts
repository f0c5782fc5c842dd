// Subpath imports: the entry point reads the configuration before anything else of Effect is loaded.
import * as Data from "effect/Data"
import * as Either from "effect/Either"

/** A configuration value that cannot be used; the CLI prints the message and exits with code 2. */
export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{ readonly variable: string; readonly message: string }> {}

/** The environment as the process got it: every variable a string, or absent. */
export type Env = Readonly<Record<string, string | undefined>>
/** A variable's value, or the message naming it and what was given. */
export type Parsed<A> = Either.Either<A, ConfigInvalid>

export const invalid = (variable: string, message: string, got: string) =>
  Either.left(new ConfigInvalid({ variable, message: `${variable} ${message} (got ${JSON.stringify(got)})` }))

export const value = (env: Env, name: string): string | undefined => {
  const v = env[name]
  return v === undefined || v.trim() === "" ? undefined : v.trim()
}

export const url = (env: Env, name: string, fallback: string): Parsed<string> => {
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
export const duration = (env: Env, name: string, fallbackMs: number, minMs: number, maxMs: number, rule: string): Parsed<number> => {
  const raw = value(env, name)
  if (raw === undefined) return Either.right(fallbackMs)
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw)
  const ms = match === null ? NaN : Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? "s"] ?? NaN))
  return ms >= minMs && ms <= maxMs ? Either.right(ms) : invalid(name, `must be a duration from ${rule}`, raw)
}

export const seconds = (ms: Parsed<number>): Parsed<number> => Either.map(ms, (n) => Math.round(n / 1000))

/** A count from `min` to `max`. */
export const count = (env: Env, name: string, fallback: number, min: number, max: number): Parsed<number> => {
  const raw = value(env, name)
  if (raw === undefined) return Either.right(fallback)
  const n = Number(raw)
  return /^\d+$/.test(raw) && n >= min && n <= max ? Either.right(n) : invalid(name, `must be an integer from ${min} to ${max}`, raw)
}

export const bool = (env: Env, name: string, fallback: boolean): Parsed<boolean> => {
  const raw = value(env, name)
  if (raw === undefined) return Either.right(fallback)
  if (/^(true|1|yes|on)$/i.test(raw)) return Either.right(true)
  if (/^(false|0|no|off)$/i.test(raw)) return Either.right(false)
  return invalid(name, "must be true or false", raw)
}

export const required = (env: Env, name: string, why: string): Parsed<string> => {
  const raw = value(env, name)
  return raw === undefined
    ? Either.left(new ConfigInvalid({ variable: name, message: `${name} must be set ${why}` }))
    : Either.right(raw)
}

