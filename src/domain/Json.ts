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

const isPlainObject = (value: unknown): value is { readonly [key: string]: unknown } => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

const isJson = (value: unknown): value is Json =>
  value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string" ||
  (Array.isArray(value) && value.every(isJson)) || (isPlainObject(value) && Object.values(value).every(isJson))

/**
 * JSON checked in place, not rebuilt: a rebuilt object would assign a `"__proto__"` key (which `JSON.parse`
 * makes an ordinary property) as the prototype, and the key would vanish from what is stored or hashed.
 */
export const JsonValue: Schema.Schema<Json> = Schema.declare(isJson, { identifier: "Json" })
/** Decodes unknown data to a `JsonObject`, so encoded events and documents are stored without casts. */
export const JsonObjectSchema: Schema.Schema<JsonObject> = Schema.declare(
  (value: unknown): value is JsonObject => isPlainObject(value) && Object.values(value).every(isJson),
  { identifier: "JsonObject" }
)
