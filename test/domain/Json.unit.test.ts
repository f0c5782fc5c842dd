import { it } from "@effect/vitest"
import { FastCheck, Schema } from "effect"
import { describe, expect } from "vitest"
import { canonicalJson, type Json, JsonObjectSchema, JsonValue } from "../../src/domain/Json.js"

// Objects with many keys (including awkward ones such as "__proto__", which fast-check generates as own
// properties) so that reordering has something to reorder.
const { json } = FastCheck.letrec<{ json: Json }>((tie) => ({
  json: FastCheck.oneof(
    { depthSize: "small", withCrossShrink: true },
    FastCheck.constant(null),
    FastCheck.boolean(),
    FastCheck.double(),
    FastCheck.string(),
    FastCheck.array(tie("json"), { maxLength: 5 }),
    FastCheck.dictionary(FastCheck.string(), tie("json"), { maxKeys: 8 })
  )
}))

const isArray = (value: Json): value is ReadonlyArray<Json> => Array.isArray(value)

/** The same value with every object's keys in another order, chosen by `seed`. */
const reorder = (value: Json, seed: number): Json => {
  if (value === null || typeof value !== "object") return value
  if (isArray(value)) return value.map((item, i) => reorder(item, seed + i))
  const entries = Object.entries(value)
  // A seeded Fisher-Yates, so a failing case shrinks and replays deterministically.
  let state = seed
  for (let i = entries.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648
    const j = state % (i + 1)
    const a = entries[i]
    const b = entries[j]
    if (a !== undefined && b !== undefined) {
      entries[i] = b
      entries[j] = a
    }
  }
  // fromEntries defines own properties, so a "__proto__" key stays a key rather than setting the prototype.
  return Object.fromEntries(entries.map(([key, v]) => [key, reorder(v, seed + key.length)]))
}

/** canonicalJson as it was written before it was tuned (ADR 0029): the hashes of every stored event depend on it. */
const formerCanonicalJson = (value: Json): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (isArray(value)) return `[${value.map(formerCanonicalJson).join(",")}]`
  const keys = Object.keys(value).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${formerCanonicalJson(value[k] ?? null)}`).join(",")}}`
}

describe("canonicalJson", () => {
  it.prop("writes exactly what its former implementation wrote, so stored hash chains still verify", [json], ([value]) => {
    expect(canonicalJson(value)).toBe(formerCanonicalJson(value))
  })

  it("sorts keys at every depth and leaves out whitespace", () => {
    expect(canonicalJson({ b: 1, a: [{ d: true, c: null }, "x"], c: { z: "z", y: 2.5 } })).toBe(
      '{"a":[{"c":null,"d":true},"x"],"b":1,"c":{"y":2.5,"z":"z"}}'
    )
  })

  it("keeps array order, which is meaningful", () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]))
  })

  it("writes scalars as JSON does", () => {
    expect(canonicalJson(null)).toBe("null")
    expect(canonicalJson("a\"b")).toBe('"a\\"b"')
    expect(canonicalJson(-1.5)).toBe("-1.5")
    expect(canonicalJson(false)).toBe("false")
  })

  it.prop("is insensitive to key order", [json, FastCheck.nat()], ([value, seed]) => {
    expect(canonicalJson(reorder(value, seed))).toBe(canonicalJson(value))
  })

  it.prop("is insensitive to the key order Postgres' jsonb might hand back", [json], ([value]) => {
    // Reversing is the most thorough single reordering: every pair of keys swaps places.
    const reversed = (v: Json): Json =>
      v === null || typeof v !== "object"
        ? v
        : isArray(v)
        ? v.map(reversed)
        : Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]))
    expect(canonicalJson(reversed(value))).toBe(canonicalJson(value))
  })

  it.prop("is valid JSON that reads back to a value with the same canonical form", [json], ([value]) => {
    const text = canonicalJson(value)
    const reread = Schema.decodeUnknownSync(JsonValue)(JSON.parse(text))
    expect(canonicalJson(reread)).toBe(text)
  })

  it("keeps a \"__proto__\" key through decoding (found by the property above)", () => {
    const parsed: unknown = JSON.parse("{\"__proto__\":null,\"a\":{\"__proto__\":[1]}}")
    const decoded = Schema.decodeUnknownSync(JsonObjectSchema)(parsed)
    expect(canonicalJson(decoded)).toBe("{\"__proto__\":null,\"a\":{\"__proto__\":[1]}}")
  })
})
