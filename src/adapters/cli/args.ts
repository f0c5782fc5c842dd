import { parseArgs } from "node:util"
import { Data, Effect } from "effect"

/** The command line was wrong; the CLI prints the message and exits with code 2. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

export type Flags = Readonly<Record<string, string | boolean | undefined>>

const firstSentence = (text: string): string => (text.split("\n")[0] ?? text).replace(/\. To specify .*$/, "")

/** Parses `--name value` and `--flag` options; unknown options and stray arguments are usage errors. */
export const parseFlags = (argv: ReadonlyArray<string>, spec: Readonly<Record<string, "string" | "boolean">>) =>
  Effect.try({
    try: (): Flags => {
      const options = Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type }]))
      const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true })
      if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}`)
      return values
    },
    // Node's messages run to several lines of advice; the first sentence is the one that says what is wrong.
    catch: (error) => new UsageError({ message: firstSentence(error instanceof Error ? error.message : String(error)) })
  })

export const requireString = (flags: Flags, name: string) => {
  const value = flags[name]
  return typeof value === "string" && value !== ""
    ? Effect.succeed(value)
    : Effect.fail(new UsageError({ message: `--${name} is required` }))
}

export const optionalString = (flags: Flags, name: string): string | undefined => {
  const value = flags[name]
  return typeof value === "string" ? value : undefined
}

export const optionalBoolean = (flags: Flags, name: string): Effect.Effect<boolean | undefined, UsageError> => {
  const value = optionalString(flags, name)
  if (value === undefined) return Effect.succeed(undefined)
  if (value === "true") return Effect.succeed(true)
  if (value === "false") return Effect.succeed(false)
  return Effect.fail(new UsageError({ message: `--${name} must be true or false` }))
}

export const optionalInteger = (flags: Flags, name: string): Effect.Effect<number | undefined, UsageError> => {
  const value = optionalString(flags, name)
  if (value === undefined) return Effect.succeed(undefined)
  return /^-?\d+$/.test(value)
    ? Effect.succeed(Number(value))
    : Effect.fail(new UsageError({ message: `--${name} must be a whole number` }))
}

export const requireInteger = (flags: Flags, name: string) =>
  optionalInteger(flags, name).pipe(
    Effect.flatMap((n) => n === undefined ? Effect.fail(new UsageError({ message: `--${name} is required` })) : Effect.succeed(n))
  )

/** An ISO date (`2027-01-31`, midnight UTC) or date-time. */
export const optionalDate = (flags: Flags, name: string): Effect.Effect<Date | null, UsageError> => {
  const value = optionalString(flags, name)
  if (value === undefined) return Effect.succeed(null)
  const date = new Date(value)
  return Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)
    ? Effect.fail(new UsageError({ message: `--${name} must be an ISO date like 2027-01-31` }))
    : Effect.succeed(date)
}
