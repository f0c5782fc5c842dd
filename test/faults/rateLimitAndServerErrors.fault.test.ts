import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { blobStoreState, leftovers } from "../support/faults/blobStoreState.js"
import { type FaultWorld, GROUP, startFaultWorld } from "../support/worlds/faultWorld.js"
import { onlyLayer } from "../support/faults/images.js"
import { leakedSecrets, warningsMentioning } from "../support/faults/logLines.js"
import { bodyDigest, explain, ociErrorCodes } from "../support/faults/registryClient.js"
import type { PushedImage } from "../support/upstream/images.js"

const RETRIES = 2

/** Docker Hub's answer once the pull limit is spent: 429, when to come back, and the count left. */
const rateLimited = {
  _tag: "Answer",
  status: 429,
  headers: { "retry-after": "3600", "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "0;w=21600" }
} as const

/**
 * An upstream that answers, but with 429 or 5xx. SPEC §5: such an answer makes a cached copy servable
 * (stale-if-error) and an uncached one a 502/503 with an OCI body; 429 and 5xx are retried with backoff,
 * except when `Retry-After` asks for longer than the cache will keep a client waiting.
 */
describe("rate limits and server errors upstream", () => {
  let world: FaultWorld
  let app: PushedImage
  beforeAll(async () => {
    world = await startFaultWorld({ retries: RETRIES, retryBaseDelayMs: 50, maxRetryAfterMs: 2_000 })
    app = await world.upstream.images.singleArch("library/app", "1")
    // A whole cached image. Each test pulls its image's manifest first: the upstream token for the repository
    // is then cached, so the request counts below hold no 401 round trip.
    for (const [kind, reference] of [["manifests", "1"], ["blobs", app.config.digest], ["blobs", onlyLayer(app).digest]] as const) {
      expect(explain(await world.alice.pull(GROUP, "app", kind, reference))).toMatch(/^200: /)
    }
  }, 120_000)
  afterAll(async () => {
    await world?.close()
  })

  it("429 with a long Retry-After on an uncached manifest: an OCI 503 after a single request, and the remaining count is recorded", async () => {
    await world.upstream.images.singleArch("library/limited", "1")
    const limit = world.faults.inject({ pathIncludes: "/limited/manifests/" }, rateLimited, Infinity)
    const refused = await world.alice.pull(GROUP, "limited", "manifests", "1")
    limit.remove()
    expect(refused.status, explain(refused)).toBe(503)
    expect(ociErrorCodes(refused)).toEqual(["UNAVAILABLE"])
    // Waiting an hour is no use to a client: no retry at all.
    expect(world.faults.requests({ pathIncludes: "/limited/manifests/" })).toEqual([{ method: "GET", path: "/v2/library/limited/manifests/1", status: 429, answeredBy: "fault" }])
    const metrics = await (await fetch(`http://${world.proxy.host}/metrics`)).text()
    expect(metrics).toMatch(/^dependency_proxy_upstream_ratelimit_remaining 0$/m)
    expect.soft(warningsMentioning(world.logs, "429").length, "a warning names the upstream's 429").toBeGreaterThanOrEqual(1)
  }, 60_000)

  it("429 on the HEAD of a cached tag: the cached manifest is served", async () => {
    const limit = world.faults.inject({ method: "HEAD", pathIncludes: "/app/manifests/1" }, rateLimited, Infinity)
    const served = await world.alice.pull(GROUP, "app", "manifests", "1")
    expect(limit.timesApplied()).toBe(1)
    limit.remove()
    expect(served.status, explain(served)).toBe(200)
    expect(bodyDigest(served)).toBe(app.manifest.digest)
  }, 60_000)

  it("500 then 502 on an uncached blob: retried with backoff, and the third attempt delivers verified bytes", async () => {
    const flaky = await world.upstream.images.singleArch("library/flaky", "1")
    const layer = onlyLayer(flaky)
    expect(explain(await world.alice.pull(GROUP, "flaky", "manifests", "1"))).toMatch(/^200: /)
    const blobGets = { method: "GET", pathIncludes: layer.digest }
    world.faults.inject(blobGets, { _tag: "Answer", status: 500 })
    world.faults.inject(blobGets, { _tag: "Answer", status: 502 })
    const pulled = await world.alice.pull(GROUP, "flaky", "blobs", layer.digest)
    expect(pulled.status, explain(pulled)).toBe(200)
    expect(bodyDigest(pulled)).toBe(layer.digest)
    expect(world.faults.requests(blobGets).map((r) => r.status)).toEqual([500, 502, 200])
  }, 60_000)

  it("503 on every attempt: an OCI 503 after 1 + retries requests, nothing kept, the log names the answer; the next pull works", async () => {
    const broken = await world.upstream.images.singleArch("library/broken", "1")
    expect(explain(await world.alice.pull(GROUP, "broken", "manifests", "1"))).toMatch(/^200: /)
    const config = broken.config.digest
    const blobGets = { method: "GET", pathIncludes: config }
    const outage = world.faults.inject(blobGets, { _tag: "Answer", status: 503 }, Infinity)
    const refused = await world.alice.pull(GROUP, "broken", "blobs", config)
    outage.remove()
    expect(refused.status, explain(refused)).toBe(503)
    expect(ociErrorCodes(refused)).toEqual(["UNAVAILABLE"])
    expect(world.faults.requests(blobGets).map((r) => r.status)).toEqual(Array.from({ length: RETRIES + 1 }, () => 503))
    expect(leftovers(await blobStoreState(world.proxy.blobsDir), config)).toEqual([])
    expect.soft(warningsMentioning(world.logs, "answered 503").length, "a warning names the upstream's 503").toBeGreaterThanOrEqual(1)

    expect(bodyDigest(await world.alice.pull(GROUP, "broken", "blobs", config))).toBe(config)
  }, 60_000)

  it("while upstream answers 503 to everything, the cached tag and blobs are still served", async () => {
    world.faults.clearRequests()
    const outage = world.faults.inject({ pathIncludes: "/v2/" }, { _tag: "Answer", status: 503 }, Infinity)
    try {
      const tag = await world.alice.pull(GROUP, "app", "manifests", "1")
      expect(tag.status, explain(tag)).toBe(200)
      expect(bodyDigest(tag)).toBe(app.manifest.digest)
      for (const digest of [app.config.digest, onlyLayer(app).digest]) expect(bodyDigest(await world.alice.pull(GROUP, "app", "blobs", digest))).toBe(digest)
      // Only the tag's freshness check went upstream, once: with a cached copy to serve it is not retried
      // (ADR 0012). The blobs came from disk alone.
      expect(world.faults.requests().map((r) => `${r.method} ${r.status}`)).toEqual(["HEAD 503"])
    } finally {
      outage.remove()
    }
    expect(leakedSecrets(world.logs, world.secrets())).toEqual([])
  }, 60_000)
})
