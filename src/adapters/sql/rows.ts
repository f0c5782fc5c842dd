import { ParseResult, Schema } from "effect"
import type { RecordedEvent } from "../../application/ports/EventStore.js"
import type { ProjectedEvent } from "../../application/ports/Projector.js"
import { type JsonObject, JsonObjectSchema } from "../../domain/Json.js"

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
  transaction_id: DbInt,
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

/** An `events` row as the port's event. */
export const toRecorded = (row: typeof EventRow.Type): RecordedEvent => ({
  globalPosition: row.global_position,
  transactionId: row.transaction_id,
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  type: row.event_type,
  schemaVersion: row.schema_version,
  payload: row.payload,
  metadata: row.metadata,
  recordedAt: row.recorded_at,
  prevHash: row.prev_hash,
  hash: row.hash
})

/**
 * A `jsonb` value as the driver parsed it. Postgres stores nothing but JSON in that column and both drivers
 * parse it with `JSON.parse`, so only the top level is looked at: a full check of every payload is what
 * `EventRow` does, for reads that ask for it.
 */
const isStoredJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const storedInt = (value: unknown): number | undefined => {
  const n = typeof value === "number" ? value : typeof value === "string" || typeof value === "bigint" ? Number(value) : Number.NaN
  return Number.isSafeInteger(n) ? n : undefined
}

/**
 * An `events` row read for a replay that trusts the log (its payloads were validated when they were appended):
 * only the columns the projector reads (`replay.ts` selects them, `recorded_ms` being `recorded_at` in epoch
 * milliseconds), their types checked, payloads trusted to be the JSON the column holds. Undefined when the
 * row has another shape.
 */
export const projectedEventRow = (row: Readonly<Record<string, unknown>>): ProjectedEvent | undefined => {
  const globalPosition = storedInt(row["global_position"])
  const schemaVersion = storedInt(row["schema_version"])
  const { stream_id, event_type, payload, recorded_ms } = row
  if (
    globalPosition === undefined || schemaVersion === undefined || typeof stream_id !== "string" ||
    typeof event_type !== "string" || !isStoredJsonObject(payload) || typeof recorded_ms !== "number"
  ) return undefined
  const recordedAt = new Date(recorded_ms)
  if (Number.isNaN(recordedAt.getTime())) return undefined
  return { globalPosition, streamId: stream_id, type: event_type, schemaVersion, payload, recordedAt }
}
