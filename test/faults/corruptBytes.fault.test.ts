import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { blobStoreState, leftovers, storedSoon } from "../support/faults/blobStoreState.js"
import { type FaultWorld, GROUP, startFaultWorld } from "../support/worlds/faultWorld.js"
import { MiB, onlyLayer } from "../support/faults/images.js"
import { leakedSecrets, warnings, warningsMentioning } from "../support/faults/logLines.js"
import { bodyDigest, explain, ociErrorCodes } from "../support/faults/registryClient.js"

/**
 * Bytes corrupted on the wire between upstream and the cache (the upstream's own files are intact, unlike the
 * e2e test that rewrites them): the digest check must catch it, keep nothing, and not poison later pulls.
 */
describe("corrupt bytes from upstream", () => {
  let world: FaultWorld
  beforeAll(async () => {
    world = await startFaultWorld({ retries: 0 })
  }, 120_000)
  afterAll(async () => {
    await world?.close()
  })

  it("a blob with one flipped byte cuts every client off before its last byte, keeps nothing, logs the mismatch, and the next pull is whole", async () => {
    const image = await world.upstream.images.largeLayer("library/rotten", "1", 4 * MiB)
    const layer = onlyLayer(image)
    const corruption = world.faults.inject({ method: "GET", pathIncludes: layer.digest }, { _tag: "FlipByte", offset: 3 * MiB }, Infinity)

    // Two clients at once: the second joins the first's transfer or starts its own; both must be cut off.
    const pulls = await Promise.all([1, 2].map(() => world.alice.pull(GROUP, "rotten", "blobs", layer.digest)))
    corruption.remove()
    expect(corruption.timesApplied()).toBeGreaterThanOrEqual(1)
    for (const pulled of pulls) {
      expect(pulled.status, explain(pulled)).toBe(200)
      expect(pulled.body._tag).toBe("Aborted")
      // The last byte is held back until the digest is verified, so no client can mistake this for a whole blob.
      if (pulled.body._tag === "Aborted") expect(pulled.body.received).toBeLessThan(layer.size)
    }

    expect(leftovers(await blobStoreState(world.proxy.blobsDir), layer.digest)).toEqual([])
    const mismatch = warnings(world.logs).filter((line) => line.includes(layer.digest) && /digest ?mismatch/i.test(line))
    expect.soft(mismatch.length, "a warning names the blob and the digest mismatch").toBeGreaterThanOrEqual(1)

    const again = await world.alice.pull(GROUP, "rotten", "blobs", layer.digest)
    expect(again.status, explain(again)).toBe(200)
    expect(bodyDigest(again)).toBe(layer.digest)
    await storedSoon(world.proxy.blobsDir, layer.digest)
    expect((await blobStoreState(world.proxy.blobsDir)).stored).toContainEqual({ digest: layer.digest, verified: true })
    expect(leakedSecrets(world.logs, world.secrets())).toEqual([])
  }, 60_000)

  it("a manifest with one flipped byte is refused with an OCI 502 and not cached; the next pull gets the real one", async () => {
    const image = await world.upstream.images.singleArch("library/garbled", "1")
    const corruption = world.faults.inject({ method: "GET", pathIncludes: "/garbled/manifests/" }, { _tag: "FlipByte", offset: 10 })

    const refused = await world.alice.pull(GROUP, "garbled", "manifests", "1")
    expect(corruption.timesApplied()).toBe(1)
    expect(refused.status, explain(refused)).toBe(502)
    expect(ociErrorCodes(refused)).toEqual(["UNKNOWN"])
    expect((await blobStoreState(world.proxy.blobsDir)).stored.map((blob) => blob.digest)).not.toContain(image.manifest.digest)
    expect.soft(warningsMentioning(world.logs, "does not hash").length, "a warning says the manifest does not match its digest").toBeGreaterThanOrEqual(1)

    const again = await world.alice.pull(GROUP, "garbled", "manifests", "1")
    expect(again.status, explain(again)).toBe(200)
    expect(again.headers.get("docker-content-digest")).toBe(image.manifest.digest)
    expect(bodyDigest(again)).toBe(image.manifest.digest)
  }, 60_000)
})
