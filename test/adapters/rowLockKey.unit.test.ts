import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { createHash } from "node:crypto"
import { rowLockKey } from "../../src/adapters/sql/appendWrites.js"

/** The key as every earlier version computed it: processes of two versions running side by side must agree. */
const earlierKey = (kind: string, id: string): bigint =>
  createHash("sha256").update(kind).update("\u0000").update(id).digest().readBigInt64BE(0)

describe("row lock keys (advisory locks shared by every process appending)", () => {
  it("are the first 64 bits, signed, of SHA-256 over kind, NUL, id: a fixed key", () => {
    expect(rowLockKey({ kind: "cached_blob", id: "1/sha256:abc" })).toBe(earlierKey("cached_blob", "1/sha256:abc"))
    expect(rowLockKey({ kind: "token", id: "42" })).toBe(-6656940100549126849n)
  })

  it("equal the earlier computation on any kind and id", () => {
    fc.assert(fc.property(fc.string(), fc.string({ unit: "binary" }), (kind, id) => {
      expect(rowLockKey({ kind, id })).toBe(earlierKey(kind, id))
    }), { numRuns: 500 })
  })
})
