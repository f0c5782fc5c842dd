import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { eventHash } from "../../src/application/eventHash.js"
import { JsonObjectSchema } from "../../src/domain/Json.js"

// Every stored event's hash was computed by this function: a change to how it hashes (or to canonicalJson) must
// leave the digest of the same fields as it was, or existing logs stop verifying. The expected digest was
// computed by the implementation before ADR 0029 (createHash, canonicalJson mapping and joining arrays).
describe("eventHash", () => {
  it("gives the digest it always gave for the same fields", () => {
    // Parsed, so that "__proto__" is an ordinary key, as in a payload read back from the store.
    const payload = Schema.decodeUnknownSync(JsonObjectSchema)(JSON.parse(
      '{"groupId":3,"digest":"sha256:00","size":1024,"image":"library/ubuntu","__proto__":null,"nested":{"b":[1,"é",null,-0.5],"a":true}}'
    ))
    expect(eventHash({
      prevHash: "ab".repeat(32),
      streamId: "blob-3/sha256:00",
      streamVersion: 7,
      type: "BlobCached",
      schemaVersion: 1,
      payload,
      metadata: { actor: "user:1", requestId: "r-1", clientIp: "10.0.0.1", userAgent: "docker/27 \"quoted\"" },
      recordedAt: new Date("2026-11-01T12:34:56.789Z")
    })).toBe("98bf56e7265126ec1064363fff15dd6e7f4b6738bf2a31f9fd45e63b58bd2311")
  })
})
