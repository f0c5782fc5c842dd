import { Schema } from "effect"

/** JSON values as stored in event payloads and read-model documents. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | JsonObject
export type JsonObject = { readonly [key: string]: Json }

const isJsonArray = (value: Json): value is ReadonlyArray<Json> => Array.isArray(value)

/**
 * Canonical JSON: object keys sorted, no whitespace. Postgres `jsonb` reorders keys, so hashes and
 * equality checks must be computed over this form, never over the text as it came back from a store.
 */
export const canonicalJson = (value: Json): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (isJsonArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  const keys = Object.keys(value).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] ?? null)}`).join(",")}}`
}

export const JsonValue: Schema.Schema<Json> = Schema.suspend(() =>
  Schema.Union(Schema.Null, Schema.Boolean, Schema.Number, Schema.String, Schema.Array(JsonValue), JsonObjectSchema)
)
/** Decodes unknown data to a `JsonObject`, so encoded events and documents are stored without casts. */
export const JsonObjectSchema: Schema.Schema<JsonObject> = Schema.Record({ key: Schema.String, value: JsonValue })
