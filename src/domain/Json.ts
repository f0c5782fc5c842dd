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
  // Built by appending to one string rather than mapping and joining arrays: every append hashes this form of
  // each event, and a batch's intermediate arrays were measurable garbage. The text is the same.
  if (isJsonArray(value)) {
    let text = "["
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      // As `join` wrote a hole or an undefined item: nothing between the commas (never in parsed JSON).
      text += (i === 0 ? "" : ",") + (item === undefined ? "" : canonicalJson(item))
    }
    return text + "]"
  }
  const keys = Object.keys(value).sort()
  let text = "{"
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] ?? ""
    text += (i === 0 ? "" : ",") + JSON.stringify(key) + ":" + canonicalJson(value[key] ?? null)
  }
  return text + "}"
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
