import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { blobStoreState } from "../support/faults/blobStoreState.js"
import { type FaultWorld, GROUP, startFaultWorld } from "../support/worlds/faultWorld.js"
import { onlyLayer } from "../support/faults/images.js"
import { leakedSecrets, warningsMentioning } from "../support/faults/logLines.js"
import { bodyDigest, explain, ociErrorCodes } from "../support/faults/registryClient.js"
import type { PushedImage } from "../support/upstream/images.js"

/**
 * The upstream host refuses connections, or only its token endpoint is down. test/e2e/pullThrough.e2e.test.ts
 * already pulls every cached tag and digest (with skopeo) while the registry is stopped; this file covers what
 * the clients of *uncached* content see, what is left on disk and in the log, and that nothing of the outage
 * is remembered once upstream is back. The breaker is off here, so every request meets the outage itself;
 * upstreamBreaker.fault.test.ts covers what the breaker changes.
 */
describe("upstream down", () => {
  let world: FaultWorld
  let kept: PushedImage
  let missing: PushedImage
  beforeAll(async () => {
    world = await startFaultWorld({ retries: 1, retryBaseDelayMs: 50 }, { breakerFailures: 0 })
    kept = await world.upstream.images.singleArch("library/kept", "1")
    missing = await world.upstream.images.singleArch("library/missing", "1")
    for (const [kind, reference] of [["manifests", "1"], ["blobs", kept.config.digest], ["blobs", onlyLayer(kept).digest]] as const) {
      expect(explain(await world.alice.pull(GROUP, "kept", kind, reference))).toMatch(/^200: /)
    }
  }, 120_000)
  afterAll(async () => {
    await world?.close()
  })

  it("refusing connections: uncached manifests and blobs are OCI 503s while cached ones pull, nothing is written, the log names the refusal", async () => {
    await world.faults.goDown()
    try {
      const attempts = [
        await world.alice.pull(GROUP, "missing", "manifests", "1"),
        await world.alice.pull(GROUP, "missing", "manifests", missing.manifest.digest),
        await world.alice.pull(GROUP, "missing", "blobs", onlyLayer(missing).digest)
      ]
      for (const refused of attempts) {
        expect(refused.status, explain(refused)).toBe(503)
        expect(ociErrorCodes(refused)).toEqual(["UNAVAILABLE"])
      }
      // The contrast at the same moment: the cached image, tag and blobs, is served whole.
      const tag = await world.alice.pull(GROUP, "kept", "manifests", "1")
      expect(tag.headers.get("docker-content-digest")).toBe(kept.manifest.digest)
      expect(bodyDigest(await world.alice.pull(GROUP, "kept", "blobs", onlyLayer(kept).digest))).toBe(onlyLayer(kept).digest)
    } finally {
      await world.faults.comeBack()
    }
    const state = await blobStoreState(world.proxy.blobsDir)
    expect(state.temporaries).toEqual([])
    for (const digest of [missing.manifest.digest, onlyLayer(missing).digest]) expect(state.stored.map((blob) => blob.digest)).not.toContain(digest)
    expect.soft(warningsMentioning(world.logs, "ECONNREFUSED").length, "a warning names the refused connection").toBeGreaterThanOrEqual(1)
  }, 60_000)

  it("with only the token endpoint down, an uncached image is an OCI 503, not an authentication error", async () => {
    await world.upstream.tokenServer.stop()
    try {
      const refused = await world.alice.pull(GROUP, "missing", "manifests", "1")
      expect(refused.status, explain(refused)).toBe(503)
      expect(ociErrorCodes(refused)).toEqual(["UNAVAILABLE"])
    } finally {
      await world.upstream.tokenServer.start()
    }
  }, 60_000)

  it("once upstream is back, what failed pulls at once: the outage left nothing behind", async () => {
    const tag = await world.alice.pull(GROUP, "missing", "manifests", "1")
    expect(tag.status, explain(tag)).toBe(200)
    expect(bodyDigest(tag)).toBe(missing.manifest.digest)
    expect(bodyDigest(await world.alice.pull(GROUP, "missing", "blobs", onlyLayer(missing).digest))).toBe(onlyLayer(missing).digest)
    expect(leakedSecrets(world.logs, world.secrets())).toEqual([])
  }, 60_000)
})
