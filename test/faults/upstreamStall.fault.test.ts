import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { blobStoreState, leftovers } from "../support/faults/blobStoreState.js"
import { type FaultWorld, GROUP, startFaultWorld } from "../support/worlds/faultWorld.js"
import { MiB, onlyLayer } from "../support/faults/images.js"
import { leakedSecrets, warningsMentioning } from "../support/faults/logLines.js"
import { bodyDigest, explain, ociErrorCodes } from "../support/faults/registryClient.js"

// Short timeouts through the layer's options (production's are 30 s and 60 s). undici checks them on a coarse
// ~500 ms tick, so each fires up to about a second late: the bounds below allow for that, not more.
const HEADERS_TIMEOUT_MS = 1_000
const BODY_TIMEOUT_MS = 1_000
const RETRIES = 1

/** An upstream that goes quiet: the cache must give up within its timeouts, not hang with its clients. */
describe("a slow upstream", () => {
  let world: FaultWorld
  beforeAll(async () => {
    world = await startFaultWorld({ headersTimeoutMs: HEADERS_TIMEOUT_MS, bodyTimeoutMs: BODY_TIMEOUT_MS, retries: RETRIES, retryBaseDelayMs: 50 })
  }, 120_000)
  afterAll(async () => {
    await world?.close()
  })

  it("a blob that stops flowing mid-body: the client is cut off after the body timeout, nothing is kept, and once upstream flows the pull is whole", async () => {
    const image = await world.upstream.images.largeLayer("library/sluggish", "1", 3 * MiB)
    const layer = onlyLayer(image)
    const stall = world.faults.inject({ method: "GET", pathIncludes: layer.digest }, { _tag: "Stall", afterBytes: MiB })

    const pulled = await world.alice.pull(GROUP, "sluggish", "blobs", layer.digest)
    expect(stall.timesApplied()).toBe(1)
    expect(pulled.status, explain(pulled)).toBe(200)
    // Aborted by the server, not left hanging until the test's own patience ran out.
    expect(pulled.body._tag).toBe("Aborted")
    if (pulled.body._tag === "Aborted") expect(pulled.body.received).toBeLessThanOrEqual(MiB)
    expect(pulled.elapsedMs).toBeLessThan(BODY_TIMEOUT_MS + 4_000)

    expect(leftovers(await blobStoreState(world.proxy.blobsDir), layer.digest)).toEqual([])
    expect.soft(warningsMentioning(world.logs, "blob download failed", layer.digest, "Body Timeout").length, "a warning names the blob and the body timeout").toBeGreaterThanOrEqual(1)

    world.faults.releaseStalls()
    const again = await world.alice.pull(GROUP, "sluggish", "blobs", layer.digest)
    expect(bodyDigest(again)).toBe(layer.digest)
    expect(leakedSecrets(world.logs, world.secrets())).toEqual([])
  }, 60_000)

  it("a registry that accepts connections but never answers: a cached tag is served stale and an uncached one is an OCI 503, each within the header timeouts", async () => {
    const image = await world.upstream.images.singleArch("library/quiet", "1")
    await world.upstream.images.singleArch("library/quiet", "2")
    const cached = await world.alice.pull(GROUP, "quiet", "manifests", "1")
    expect(cached.status, explain(cached)).toBe(200)
    const silence = world.faults.inject({ pathIncludes: "/quiet/manifests/" }, { _tag: "Hang" }, Infinity)
    // Every attempt waits out the header timeout (and the fast-timer tick), then one short backoff.
    const bound = (RETRIES + 1) * (HEADERS_TIMEOUT_MS + 1_000) + 1_000

    const stale = await world.alice.pull(GROUP, "quiet", "manifests", "1")
    expect(stale.status, explain(stale)).toBe(200)
    expect(stale.headers.get("docker-content-digest")).toBe(image.manifest.digest)
    expect(stale.elapsedMs).toBeLessThan(bound)

    const uncached = await world.alice.pull(GROUP, "quiet", "manifests", "2")
    expect(uncached.status, explain(uncached)).toBe(503)
    expect(ociErrorCodes(uncached)).toEqual(["UNAVAILABLE"])
    expect(uncached.elapsedMs).toBeLessThan(bound)
    silence.remove()

    // A request that timed out is retried when nothing cached could be served instead: the uncached pull made
    // 1 + RETRIES attempts, the revalidation of the cached tag one (ADR 0012).
    expect(world.faults.requests({ method: "HEAD", pathIncludes: "/quiet/manifests/1" }).filter((r) => r.status === null)).toHaveLength(1)
    expect(world.faults.requests({ method: "GET", pathIncludes: "/quiet/manifests/2" }).filter((r) => r.status === null)).toHaveLength(RETRIES + 1)
    expect.soft(warningsMentioning(world.logs, "UND_ERR_HEADERS_TIMEOUT").length, "a warning names the upstream timeout").toBeGreaterThanOrEqual(1)
  }, 60_000)
})
