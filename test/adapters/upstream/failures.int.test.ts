import type { ServerResponse } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { UpstreamUnavailable } from "../../../src/application/ports/UpstreamRegistry.js"
import { closedPort, fakeServer, json } from "../../support/upstream/fakeServer.js"
import { ANONYMOUS, upstreamAt } from "../../support/upstream/undiciUpstream.js"

const DIGEST = `sha256:${"b".repeat(64)}`
const ok = (response: ServerResponse) => response.writeHead(200, { "content-length": "42" }).end()

const reasonOf = (error: { readonly _tag: string }) => ("reason" in error && typeof error.reason === "string" ? error.reason : "")

describe("failures and retries", () => {
  it.scopedLive("a 500 then a 200 succeeds on the retry", () =>
    Effect.gen(function*() {
      let calls = 0
      const registry = yield* fakeServer((_request, response) => (calls++ === 0 ? json(response, 500, {}) : ok(response)))
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST)).toEqual({ size: 42 })
      expect(registry.seen).toHaveLength(2)
    }))

  it.scopedLive("a 503 forever is UpstreamUnavailable after retries + 1 attempts, backing off in between", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response) => json(response, 503, {}))
      const upstream = yield* upstreamAt(registry.url, { retries: 3, retryBaseDelayMs: 20 })
      const started = Date.now()
      const error = yield* Effect.flip(upstream.getBlob(ANONYMOUS, "library/alpine", DIGEST))
      expect(error).toEqual(new UpstreamUnavailable({ reason: `${registry.url}/v2/library/alpine/blobs/${DIGEST} answered 503` }))
      expect(registry.seen).toHaveLength(4)
      expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40 + 80)

      const once = yield* upstreamAt(registry.url, { retries: 0 })
      yield* Effect.flip(once.headBlob(ANONYMOUS, "library/alpine", DIGEST))
      expect(registry.seen).toHaveLength(5)
    }))

  it.scopedLive("honours a short Retry-After and gives up at once on a long one", () =>
    Effect.gen(function*() {
      let calls = 0
      const registry = yield* fakeServer((request, response) => {
        calls++
        if (request.url?.includes("patient") === true) return calls === 1 ? json(response, 429, {}, { "retry-after": "1" }) : ok(response)
        json(response, 429, {}, { "retry-after": "3600" })
      })
      const upstream = yield* upstreamAt(registry.url, { retryBaseDelayMs: 1 })
      const started = Date.now()
      expect(yield* upstream.headBlob(ANONYMOUS, "patient/app", DIGEST)).toEqual({ size: 42 })
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)

      const error = yield* Effect.flip(upstream.headBlob(ANONYMOUS, "eager/app", DIGEST))
      expect(error).toBeInstanceOf(UpstreamUnavailable)
      expect(reasonOf(error)).toContain("Retry-After 3600 s")
      expect(registry.hits("/v2/eager/")).toHaveLength(1)
    }))

  it.scopedLive("connection refused is UpstreamUnavailable", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const upstream = yield* upstreamAt(`http://127.0.0.1:${port}`, { retries: 1 })
      const error = yield* Effect.flip(upstream.getManifest(ANONYMOUS, "library/alpine", "3.19"))
      expect(error).toBeInstanceOf(UpstreamUnavailable)
      expect(reasonOf(error)).toContain("ECONNREFUSED")
    }))

  // undici 7 runs header and body timeouts on its coarse "fast timers" (a ~500 ms tick), so 150 ms fires
  // after up to about a second.
  it.scopedLive("a server that never answers is UpstreamUnavailable after the headers timeout", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer(() => {})
      const upstream = yield* upstreamAt(registry.url, { headersTimeoutMs: 150, retries: 1 })
      const started = Date.now()
      const error = yield* Effect.flip(upstream.headManifest(ANONYMOUS, "library/alpine", "3.19"))
      expect(error).toBeInstanceOf(UpstreamUnavailable)
      expect(reasonOf(error)).toContain("UND_ERR_HEADERS_TIMEOUT")
      expect(registry.seen).toHaveLength(2)
      expect(Date.now() - started).toBeLessThan(3_000)
    }))

  it.scopedLive("a manifest body that stalls is UpstreamUnavailable after the body timeout, retried", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": "100" })
        response.write("{")
      })
      const upstream = yield* upstreamAt(registry.url, { bodyTimeoutMs: 150, retries: 1 })
      const error = yield* Effect.flip(upstream.getManifest(ANONYMOUS, "library/alpine", "3.19"))
      expect(error).toBeInstanceOf(UpstreamUnavailable)
      expect(reasonOf(error)).toContain("body interrupted")
      expect(registry.seen).toHaveLength(2)
    }))

  it.scopedLive("records the registry's rate-limit headers, and ignores those of other hosts", () =>
    Effect.gen(function*() {
      const cdn = yield* fakeServer((_request, response) =>
        response.writeHead(200, { "content-length": "1", "ratelimit-limit": "1", "ratelimit-remaining": "0" }).end("x"))
      const registry = yield* fakeServer((request, response) => {
        if (request.url?.includes("/blobs/") === true) return response.writeHead(307, { location: `${cdn.url}/x` }).end()
        response.writeHead(404, { "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "76;w=21600" }).end()
      })
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* upstream.rateLimit).toEqual({ limit: null, remaining: null })
      yield* Effect.flip(upstream.headManifest(ANONYMOUS, "library/alpine", "3.19"))
      expect(yield* upstream.rateLimit).toEqual({ limit: 100, remaining: 76 })
      yield* upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST)
      expect(yield* upstream.rateLimit).toEqual({ limit: 100, remaining: 76 })
    }))
})
