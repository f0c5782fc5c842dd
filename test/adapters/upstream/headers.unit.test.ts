import { describe, expect, it } from "@effect/vitest"
import { digestOf, hasDigest, isDigestReference, parseDigest } from "../../../src/adapters/upstream/digest.js"
import { mediaTypeOf } from "../../../src/adapters/upstream/headers.js"
import { nextLink } from "../../../src/adapters/upstream/link.js"
import { blobPath, manifestPath, registryUrl } from "../../../src/adapters/upstream/paths.js"
import { parseRateLimitValue, rateLimitOf } from "../../../src/adapters/upstream/rateLimit.js"
import { retryAfterMs } from "../../../src/adapters/upstream/status.js"

describe("response headers", () => {
  it("reads Docker Hub's rate-limit values, ignoring the window", () => {
    expect(parseRateLimitValue("100;w=21600")).toBe(100)
    expect(parseRateLimitValue(" 76 ")).toBe(76)
    expect(parseRateLimitValue("lots")).toBeNull()
    expect(parseRateLimitValue(undefined)).toBeNull()
    expect(rateLimitOf({ "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "99;w=21600" })).toEqual({ limit: 100, remaining: 99 })
    expect(rateLimitOf({ "content-type": "application/json" })).toBeNull()
  })

  it("reads Retry-After as seconds or as a date", () => {
    const now = Date.parse("2025-06-01T12:00:00Z")
    expect(retryAfterMs("3", now)).toBe(3000)
    expect(retryAfterMs("Sun, 01 Jun 2025 12:00:10 GMT", now)).toBe(10_000)
    expect(retryAfterMs("Sun, 01 Jun 2025 11:00:00 GMT", now)).toBe(0)
    expect(retryAfterMs("soon", now)).toBeNull()
    expect(retryAfterMs(undefined, now)).toBeNull()
  })

  it("finds rel=next among Link values", () => {
    expect(nextLink([`</v2/a/tags/list?n=2&last=b>; rel="next"`])).toBe("/v2/a/tags/list?n=2&last=b")
    expect(nextLink([`<https://x.test/p>; rel="prev", <https://x.test/n>; rel=next`])).toBe("https://x.test/n")
    expect(nextLink([`<https://x.test/p>; rel="prev"`])).toBeUndefined()
    expect(nextLink([])).toBeUndefined()
  })

  it("strips Content-Type parameters", () => {
    expect(mediaTypeOf({ "content-type": "application/vnd.oci.image.index.v1+json; charset=utf-8" })).toBe("application/vnd.oci.image.index.v1+json")
    expect(mediaTypeOf({})).toBeUndefined()
  })
})

describe("digests and paths", () => {
  it("computes and checks sha256 and sha512 digests", () => {
    const bytes = Buffer.from("{}")
    const sha256 = digestOf(bytes)
    expect(sha256).toBe("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
    expect(hasDigest(bytes, sha256)).toBe(true)
    expect(hasDigest(bytes, digestOf(bytes, "sha512"))).toBe(true)
    expect(hasDigest(Buffer.from("[]"), sha256)).toBe(false)
    expect(hasDigest(bytes, "md5:99914b932bd37a50b983c5e7c90ae93b")).toBe(false)
    expect(parseDigest("sha256:abc")).toBeNull()
    expect(isDigestReference(sha256)).toBe(true)
    expect(isDigestReference("3.19")).toBe(false)
  })

  it("keeps repository slashes and digest colons, encodes the rest, and honours a base path", () => {
    const base = new URL("https://mirror.test/prefix/")
    expect(registryUrl(base, manifestPath("library/alpine", "sha256:ab")).href).toBe("https://mirror.test/prefix/v2/library/alpine/manifests/sha256:ab")
    expect(registryUrl(new URL("http://r.test"), blobPath("a b/c", "x?y")).href).toBe("http://r.test/v2/a%20b/c/blobs/x%3Fy")
  })
})
