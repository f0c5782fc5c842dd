import { it } from "@effect/vitest"
import { Arbitrary, FastCheck, Schema } from "effect"
import { describe, expect } from "vitest"
import { compileDocEncoder } from "../../src/domain/docEncoder.js"
import { InstanceSettings } from "../../src/domain/instance/InstanceSettings.js"
import { JsonObjectSchema } from "../../src/domain/Json.js"
import * as Views from "../../src/domain/views.js"

// The compiled encoders stand in for Schema's on every append and replay (ADR 0029): for any document of any view
// they must write the very JSON Schema writes (key order included, so the text is compared), and they may refuse
// a value (the codec then asks Schema) but never accept one Schema refuses.

type Outcome = { readonly ok: true; readonly json: string } | { readonly ok: false }

const outcome = (encode: () => unknown): Outcome => {
  try {
    return { ok: true, json: JSON.stringify(encode()) }
  } catch {
    return { ok: false }
  }
}

/** A value with one field replaced by something odd: another type, undefined, an invalid date, or removed. */
const damaged = (value: unknown, field: number, odd: unknown, remove: boolean): unknown => {
  if (typeof value !== "object" || value === null) return value
  const entries = Object.entries(value)
  if (entries.length === 0) return value
  const index = field % entries.length
  return Object.fromEntries(
    entries.flatMap(([key, v], i) => (i !== index ? [[key, v]] : remove ? [] : [[key, odd]]))
  )
}

const odd = FastCheck.oneof(
  FastCheck.constant(undefined),
  FastCheck.constant(null),
  FastCheck.constant(new Date(Number.NaN)),
  FastCheck.constant(-1),
  FastCheck.constant(1.5),
  FastCheck.string(),
  FastCheck.boolean(),
  FastCheck.constant([1]),
  FastCheck.constant({})
)

/** The three properties for one view's schema. */
const encodesAsSchemaDoes = <A, I>(name: string, schema: Schema.Schema<A, I>) => {
  const compiled = compileDocEncoder(schema)
  const viaSchema = (value: unknown) => Schema.decodeUnknownSync(JsonObjectSchema)(Schema.encodeUnknownSync(schema)(value))

  it(`exist for ${name}`, () => {
    expect(compiled).toBeDefined()
  })

  it.prop(`write what Schema writes for every ${name}`, [Arbitrary.make(schema)], ([value]) => {
    expect(outcome(() => compiled?.(value))).toEqual(outcome(() => viaSchema(value)))
  })

  it.prop(
    `accept no ${name} that Schema refuses, and agree on those both accept`,
    [Arbitrary.make(schema), FastCheck.nat(), odd, FastCheck.boolean()],
    ([value, field, replacement, remove]) => {
      const input = damaged(value, field, replacement, remove)
      const fast = outcome(() => compiled?.(input))
      if (fast.ok) expect(fast).toEqual(outcome(() => viaSchema(input)))
    }
  )
}

describe("compiled document encoders", () => {
  encodesAsSchemaDoes("group", Views.GroupView)
  encodesAsSchemaDoes("index", Views.IndexView)
  encodesAsSchemaDoes("membership", Views.MembershipView)
  encodesAsSchemaDoes("user", Views.UserView)
  encodesAsSchemaDoes("token", Views.TokenView)
  encodesAsSchemaDoes("SSO session", Views.SsoSessionView)
  encodesAsSchemaDoes("cached manifest", Views.CachedManifestView)
  encodesAsSchemaDoes("cached blob", Views.CachedBlobView)
  encodesAsSchemaDoes("instance settings", InstanceSettings)

  it("refuse what JSON cannot hold, so Schema reports it", () => {
    const encode = compileDocEncoder(Views.MembershipView)
    const membership = { groupId: 1, userId: 2, accessLevel: 30, createdAt: new Date(0) }
    expect(encode?.(membership)).toEqual({ groupId: 1, userId: 2, accessLevel: 30, createdAt: "1970-01-01T00:00:00.000Z" })
    expect(() => encode?.({ ...membership, expiresAt: undefined })).toThrow()
    expect(() => Schema.decodeUnknownSync(JsonObjectSchema)(Schema.encodeUnknownSync(Views.MembershipView)({ ...membership, expiresAt: undefined })))
      .toThrow()
  })
})
