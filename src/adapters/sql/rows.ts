import { ParseResult, Schema } from "effect"
import { JsonObjectSchema } from "../../domain/Json.js"

/**
 * Schemas for rows as the drivers hand them back. `pg` returns bigint/numeric as strings, PGlite as numbers
 * (or bigint beyond 2^53), so integer columns accept all three and decode to a safe JS number.
 */
export const DbInt = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.String, Schema.BigIntFromSelf),
  Schema.Number,
  {
    strict: true,
    decode: (value, _, ast) => {
      const n = typeof value === "string" && !/^-?\d+$/.test(value) ? Number.NaN : Number(value)
      return Number.isSafeInteger(n)
        ? ParseResult.succeed(n)
        : ParseResult.fail(new ParseResult.Type(ast, value, `not a safe integer: ${String(value)}`))
    },
    encode: (n) => ParseResult.succeed(n)
  }
)

/** `timestamptz`: both drivers parse it to a Date; a string is accepted in case a type parser is overridden. */
export const DbDate = Schema.Union(Schema.ValidDateFromSelf, Schema.Date)

export const MetadataValue = Schema.Struct({
  actor: Schema.NullOr(Schema.String),
  requestId: Schema.NullOr(Schema.String),
  clientIp: Schema.NullOr(Schema.String),
  userAgent: Schema.NullOr(Schema.String)
})

/** A row of `events`, under the column names of the table. */
export const EventRow = Schema.Struct({
  global_position: DbInt,
  stream_id: Schema.String,
  stream_version: DbInt,
  event_type: Schema.String,
  schema_version: DbInt,
  payload: JsonObjectSchema,
  metadata: MetadataValue,
  recorded_at: DbDate,
  prev_hash: Schema.String,
  hash: Schema.String
})

export const ReadModelRowSchema = Schema.Struct({
  kind: Schema.String,
  id: Schema.String,
  doc: JsonObjectSchema
})
