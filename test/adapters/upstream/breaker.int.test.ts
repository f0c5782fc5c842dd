import type { ServerResponse } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import type { UpstreamError } from "../../../src/application/ports/UpstreamRegistry.js"
import type { UpstreamBreakersShape } from "../../../src/application/upstream/UpstreamBreakers.js"
import type { BreakerPolicy } from "../../../src/domain/upstream/breaker.js"
import { fakeDocker } from "../../support/upstream/fakeDocker.js"
import { fakeServer, json } from "../../support/upstream/fakeServer.js"
import { ANONYMOUS, upstreamWithBreakers } from "../../support/upstream/undiciUpstream.js"

const DIGEST = `sha256:${"c".repeat(64)}`
const ok = (response: ServerResponse) => response.writeHead(200, { "content-length": "42" }).end()
const hostOf = (url: string) => new URL(url).host

/** Polls `breakers` every 10 ms until `accept` holds for the host's state, within `deadlineMs`. */
const breakerBecomes = (breakers: UpstreamBreakersShape, host: string, accept: (state: string) => boolean, deadlineMs = 5_000) =>
  Effect.gen(function*() {
    const giveUpAt = Date.now() + deadlineMs
    for (;;) {
      const state = (yield* breakers.reports).find((report) => report.host === host)?.state ?? "closed"
      if (accept(state)) return state
      if (Date.now() > giveUpAt) return yield* Effect.dieMessage(`the breaker of ${host} stayed ${state}`)
      yield* Effect.sleep(10)
    }
  })

const refusedByBreaker = (error: UpstreamError) => error._tag === "UpstreamUnavailable" && error.refusedByBreaker === true

describe("the upstream breaker in the adapter", () => {
  it.scopedLive("a run of failed attempts opens it; then calls are refused at once, without retries, and nothing reaches the registry", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response) => json(response, 503, {}))
      const policy: BreakerPolicy = { failureThreshold: 3, cooldownMs: 60_000, slowCallMs: 10_000 }
      const { upstream } = yield* upstreamWithBreakers(registry.url, { retries: 1 }, policy)
      // Two attempts, two failures; then one more failure opens it and the retry after it is refused.
      expect(refusedByBreaker(yield* Effect.flip(upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST)))).toBe(false)
      expect(refusedByBreaker(yield* Effect.flip(upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST)))).toBe(true)
      expect(registry.seen).toHaveLength(3)

      const refused = yield* Effect.flip(upstream.getManifest(ANONYMOUS, "library/alpine", "latest"))
      expect(refusedByBreaker(refused)).toBe(true)
      expect(refused._tag === "UpstreamUnavailable" ? refused.retryAfterMs : 0).toBeGreaterThan(50_000)
      expect(registry.seen).toHaveLength(3)
      expect(yield* upstream.refusal).toBeGreaterThan(50_000)
    }))

  it.scopedLive("an attempt unanswered after slowCallMs opens it then, and its late answer still reaches the caller", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response) => void setTimeout(() => ok(response), 1_500))
      const policy: BreakerPolicy = { failureThreshold: 1, cooldownMs: 60_000, slowCallMs: 200 }
      const { upstream, breakers } = yield* upstreamWithBreakers(registry.url, { retries: 0 }, policy)
      const call = yield* Effect.fork(upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST))
      yield* breakerBecomes(breakers, hostOf(registry.url), (state) => state === "open")
      // Still waiting for its answer when the breaker opened.
      expect(call.unsafePoll()).toBeNull()
      expect(yield* Fiber.join(call)).toEqual({ size: 42 })
      // A late answer is no answer for the breaker.
      expect((yield* breakers.reports)[0]?.state).toBe("open")
    }))

  it.scopedLive("past the cooldown one probe goes through while the others are refused; its answer closes it", () =>
    Effect.gen(function*() {
      let failing = true
      const registry = yield* fakeServer((_request, response) => (failing ? json(response, 503, {}) : void setTimeout(() => ok(response), 300)))
      const policy: BreakerPolicy = { failureThreshold: 1, cooldownMs: 200, slowCallMs: 5_000 }
      const { upstream, breakers } = yield* upstreamWithBreakers(registry.url, { retries: 0 }, policy)
      const host = hostOf(registry.url)
      yield* Effect.flip(upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST))
      expect((yield* breakers.reports)[0]?.state).toBe("open")
      failing = false
      while ((yield* upstream.refusal) !== null) yield* Effect.sleep(10)

      const probe = yield* Effect.fork(upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST))
      yield* breakerBecomes(breakers, host, (state) => state === "half_open")
      expect(refusedByBreaker(yield* Effect.flip(upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST)))).toBe(true)
      expect(yield* Fiber.join(probe)).toEqual({ size: 42 })
      expect((yield* breakers.reports)[0]?.state).toBe("closed")
      expect(registry.seen).toHaveLength(2)
      expect(yield* upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST)).toEqual({ size: 42 })
    }))

  it.scopedLive("a 404 or a refusal of the credentials is an answer: it never opens the breaker", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((request, response) => json(response, request.url?.includes("alpine") === true ? 404 : 403, {}))
      const policy: BreakerPolicy = { failureThreshold: 1, cooldownMs: 60_000, slowCallMs: 5_000 }
      const { upstream, breakers } = yield* upstreamWithBreakers(registry.url, {}, policy)
      for (const repository of ["library/alpine", "private/app", "library/alpine"]) {
        expect((yield* Effect.flip(upstream.headBlob(ANONYMOUS, repository, DIGEST)))._tag).toBe("UpstreamNotFound")
      }
      expect((yield* breakers.reports)[0]?.state).toBe("closed")
    }))

  it.scopedLive("the token endpoint failing counts for the registry's breaker: the registry is not asked while it is open", () =>
    Effect.gen(function*() {
      const docker = yield* fakeDocker({ content: (_request, response) => ok(response) })
      docker.tokenServer.handle((_request, response) => json(response, 503, {}))
      const policy: BreakerPolicy = { failureThreshold: 2, cooldownMs: 60_000, slowCallMs: 5_000 }
      const { upstream, breakers } = yield* upstreamWithBreakers(docker.registry.url, { retries: 3 }, policy)
      const error = yield* Effect.flip(upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST))
      expect(refusedByBreaker(error)).toBe(true)
      expect(docker.tokenServer.seen).toHaveLength(2)
      expect((yield* breakers.reports).map((report) => [report.host, report.state])).toEqual([[hostOf(docker.registry.url), "open"]])
      // The reason is kept without paths: it shows on readiness, and paths name repositories.
      expect((yield* breakers.reports)[0]?.reason).not.toContain("/token")
      const registryRequests = docker.registry.seen.length
      yield* Effect.flip(upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST))
      expect(docker.registry.seen).toHaveLength(registryRequests)
    }))

  it.scopedLive("a revalidation (retry: false) makes one attempt", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response) => json(response, 503, {}))
      const policy: BreakerPolicy = { failureThreshold: 0, cooldownMs: 1_000, slowCallMs: 5_000 }
      const { upstream } = yield* upstreamWithBreakers(registry.url, { retries: 3 }, policy)
      yield* Effect.flip(upstream.headManifest(ANONYMOUS, "library/alpine", "latest", { retry: false }))
      expect(registry.seen).toHaveLength(1)
      yield* Effect.flip(upstream.headManifest(ANONYMOUS, "library/alpine", "latest"))
      expect(registry.seen).toHaveLength(5)
    }))
})
