import { it } from "@effect/vitest"
import { Arbitrary, FastCheck, Schema } from "effect"
import { describe, expect } from "vitest"
import { declined, fastEncoder } from "../../src/domain/fastEncode.js"
import { InstanceSettings } from "../../src/domain/instance/InstanceSettings.js"
import {
  CachedBlobView,
  CachedManifestView,
  GroupView,
  IndexView,
  MembershipView,
  SsoSessionView,
  TokenView,
  UserView
} from "../../src/domain/views.js"

// Every read-model document's schema: the fast encoder must give exactly what Schema's encode gives, or decline.
const views = { CachedBlobView, CachedManifestView, GroupView, IndexView, MembershipView, SsoSessionView, TokenView, UserView, InstanceSettings }

const blob = {
  position: 7,
  groupId: 3,
  digest: `sha256:${"ab".repeat(32)}`,
  size: 10,
  image: "img",
  createdAt: new Date("2026-01-02T03:04:05.678Z"),
  lastReadAt: new Date("2026-01-03T03:04:05.678Z")
}

describe("fastEncoder", () => {
  it("compiles the documents replays write most, and every view without a part it does not know", () => {
    expect(fastEncoder(CachedBlobView.ast)).toBeDefined()
    expect(fastEncoder(CachedManifestView.ast)).toBeDefined()
    for (const [name, schema] of Object.entries(views)) expect([name, fastEncoder(schema.ast) !== undefined]).toEqual([name, true])
  })

  const encodesAsSchema = <A, I>(name: string, schema: Schema.Schema<A, I>) =>
    it.prop(`encodes ${name} exactly as Schema does`, [Arbitrary.make(schema)], ([value]) => {
      expect(fastEncoder(schema.ast)?.(value)).toEqual(Schema.encodeSync(schema)(value))
    })
  encodesAsSchema("CachedBlobView", CachedBlobView)
  encodesAsSchema("CachedManifestView", CachedManifestView)
  encodesAsSchema("GroupView", GroupView)
  encodesAsSchema("IndexView", IndexView)
  encodesAsSchema("MembershipView", MembershipView)
  encodesAsSchema("SsoSessionView", SsoSessionView)
  encodesAsSchema("TokenView", TokenView)
  encodesAsSchema("UserView", UserView)
  encodesAsSchema("InstanceSettings", InstanceSettings)

  it("leaves out properties the schema does not declare, as Schema does", () => {
    const encoded = fastEncoder(CachedBlobView.ast)?.({ ...blob, extra: "x" })
    expect(encoded).toEqual({ ...blob, createdAt: "2026-01-02T03:04:05.678Z", lastReadAt: "2026-01-03T03:04:05.678Z" })
    expect(encoded).toEqual(Schema.encodeSync(CachedBlobView)({ ...blob }))
  })

  it("declines what Schema refuses, so the caller gets Schema's error", () => {
    const fast = fastEncoder(CachedBlobView.ast)
    const wrong = [
      { ...blob, groupId: -1 },
      { ...blob, size: 1.5 },
      { ...blob, createdAt: new Date(Number.NaN) },
      { ...blob, lastReadAt: "2026-01-03T03:04:05.678Z" },
      (({ image: _, ...rest }) => rest)(blob),
      (({ position: _, ...rest }) => rest)(blob),
      null,
      "blob"
    ]
    for (const value of wrong) {
      expect(fast?.(value)).toBe(declined)
      expect(() => Schema.encodeUnknownSync(CachedBlobView)(value)).toThrow()
    }
  })
})
