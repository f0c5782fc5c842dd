import { Data, Effect, ParseResult, Schema } from "effect"
import { type AccessLevel, isAccessLevel } from "../../../domain/AccessLevel.js"

/**
 * A parameter missing or malformed, answered as GitLab's API framework (grape) does:
 * `400 {"error": "name is missing, access_level does not have a valid value"}`.
 */
export class InvalidParams extends Data.TaggedError("InvalidParams")<{ readonly problems: ReadonlyArray<string> }> {}

const INVALID = "is invalid"
const NOT_A_VALID_VALUE = "does not have a valid value"
const PHRASES: ReadonlySet<string> = new Set([INVALID, NOT_A_VALID_VALUE])

/**
 * Every parameter schema says what grape says. Schema's own wording is never passed on: it quotes the value,
 * which may be a password.
 */
const saying = <A, I>(schema: Schema.Schema<A, I>, phrase: string): Schema.Schema<A, I> =>
  schema.annotations({ message: () => ({ message: phrase, override: true }) })

// Form fields arrive as text, JSON may send numbers: both are accepted wherever a number is expected.
const IntegerText = Schema.compose(Schema.String.pipe(Schema.pattern(/^-?\d{1,15}$/)), Schema.NumberFromString)
const Integer = Schema.Union(Schema.Int, IntegerText)

/** Any integer; what a non-positive one means is the route's business (paging falls back to its defaults). */
export const IntegerParam = saying(Integer, INVALID)

export const IdParam = saying(Integer.pipe(Schema.positive(), Schema.lessThanOrEqualTo(Number.MAX_SAFE_INTEGER)), INVALID)

export const AccessLevelParam = saying(
  Integer.pipe(Schema.filter((n): n is AccessLevel => isAccessLevel(n))),
  NOT_A_VALID_VALUE
)

export const TextParam = saying(Schema.String, INVALID)

/** One of a fixed set of words (`state=active`). */
export const ChoiceParam = <const L extends ReadonlyArray<string>>(...values: L) =>
  saying(Schema.Literal(...values), NOT_A_VALID_VALUE)

/** The words grape's Boolean (dry-types) reads: Python's `str(True)` is `True`, Ruby's is `true`. */
const TRUE_WORDS = ["1", "on", "On", "ON", "t", "T", "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES"] as const
const FALSE_WORDS = ["0", "off", "Off", "OFF", "f", "F", "false", "False", "FALSE", "n", "N", "no", "No", "NO"] as const
const TRUE_SET: ReadonlySet<string> = new Set(TRUE_WORDS)
const FlagText = Schema.transform(Schema.Literal(...TRUE_WORDS, ...FALSE_WORDS), Schema.Boolean, {
  strict: true,
  decode: (text) => TRUE_SET.has(text),
  encode: (flag) => (flag ? "true" : "false")
})
export const FlagParam = saying(Schema.Union(Schema.Boolean, FlagText), INVALID)

/** An array, or comma-separated text (`scopes=api,read_api`), as GitLab coerces `scopes`. */
const CommaSeparated = Schema.transform(Schema.String, Schema.Array(Schema.String), {
  strict: true,
  decode: (text) => text.split(",").map((s) => s.trim()).filter((s) => s !== ""),
  encode: (list) => list.join(",")
})
export const ScopesParam = saying(Schema.Union(Schema.Array(Schema.String), CommaSeparated), INVALID)

const DAY = /^\d{4}-\d{2}-\d{2}$/
const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/

const dateParam = (pattern: RegExp, parse: (text: string) => Date) =>
  Schema.transformOrFail(Schema.String, Schema.DateFromSelf, {
    strict: true,
    decode: (text, _, ast) => {
      const date = parse(text)
      // `2025-02-30` parses (into March): a day that does not round-trip does not exist.
      const exists = pattern.test(text) && !Number.isNaN(date.getTime()) && (!DAY.test(text) || date.toISOString().startsWith(text))
      return exists ? ParseResult.succeed(date) : ParseResult.fail(new ParseResult.Type(ast, text))
    },
    encode: (date) => ParseResult.succeed(date.toISOString())
  })

/** `YYYY-MM-DD`: a token expires at the start of that day, UTC, as in GitLab. */
export const DayParam = saying(dateParam(DAY, (text) => new Date(`${text}T00:00:00.000Z`)), INVALID)

/** ISO 8601: a day (its start, UTC) or a time with its zone; a time without a zone would be ambiguous. */
export const InstantParam = saying(dateParam(INSTANT, (text) => new Date(DAY.test(text) ? `${text}T00:00:00.000Z` : text)), INVALID)

/** An optional parameter; JSON `null` counts as absent. */
export const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { nullable: true })

/** One problem per parameter, in the order of the schema's fields: missing, or the phrase its schema says. */
const problemsOf = (error: ParseResult.ParseError): ReadonlyArray<string> => {
  const byParam = new Map<string, string>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const param = issue.path[0] === undefined ? "body" : String(issue.path[0])
    const phrase = issue._tag === "Missing" ? "is missing" : PHRASES.has(issue.message) ? issue.message : INVALID
    // An optional parameter's failure is reported by each branch of its union; the schema's own phrase wins.
    if (!byParam.has(param) || (phrase !== INVALID && byParam.get(param) === INVALID)) byParam.set(param, phrase)
  }
  return [...byParam].map(([param, phrase]) => `${param} ${phrase}`)
}

/** Decodes a request's body or query (absent means empty); extra fields are ignored, as grape does. */
export const decodeParams = <A, I>(schema: Schema.Schema<A, I>, input: unknown): Effect.Effect<A, InvalidParams> => {
  const source = input ?? {}
  if (typeof source !== "object" || Array.isArray(source)) {
    return Effect.fail(new InvalidParams({ problems: ["body must be an object of parameters"] }))
  }
  return Schema.decodeUnknown(schema, { errors: "all", onExcessProperty: "ignore" })(source).pipe(
    Effect.mapError((error) => new InvalidParams({ problems: problemsOf(error) }))
  )
}
