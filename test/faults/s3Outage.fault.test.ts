import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { onlyLayer } from "../support/faults/images.js"
import { bodyDigest, explain, ociErrorCodes } from "../support/faults/registryClient.js"
import { pullUnderLoad, S3_FAULT_GROUP as GROUP, type S3FaultWorld, startS3FaultWorld } from "../support/faults/s3FaultWorld.js"
import { cli } from "../support/processes.js"
import { freshS3Location, privateRadosgw } from "../support/s3.js"
import { waitUntil } from "../support/waitUntil.js"

/**
 * `serve` with blobs in S3 (a radosgw of this test's own), which is stopped under load and started again.
 * While it is down: cached manifests still answer (the store remembers small objects), blob requests get an
 * OCI 503, nothing answers 500 or wrong bytes. Once it is back the service recovers by itself: the cached
 * blob is served, an uncached image is pulled, and `fsck` finds everything intact.
 */
describe("S3 stops and starts again under load", () => {
  let s3: Awaited<ReturnType<typeof privateRadosgw>>
  let world: S3FaultWorld

  beforeAll(async () => {
    s3 = await privateRadosgw(`/tmp/dp-s3-outage-${randomUUID().slice(0, 8)}`)
    world = await startS3FaultWorld(freshS3Location("outage", s3.env), "5s", "root-password-S3out")
  }, 600_000)
  afterAll(async () => {
    await world?.stop()
    await s3?.purge()
  }, 300_000)

  it("cached manifests answer and blobs get 503 while S3 is down; pulls work again once it is back, and fsck is clean", async () => {
    const { root } = world
    const layer = onlyLayer(world.cached)
    const manifest = await root.pull(GROUP, "cached", "manifests", "1")
    expect(manifest.status, explain(manifest)).toBe(200)
    const blob = await root.pull(GROUP, "cached", "blobs", layer.digest)
    expect(bodyDigest(blob), explain(blob)).toBe(layer.digest)

    await s3.stop()
    // Load while it is down: clients keep asking for the cached manifest and blob, and for an uncached blob.
    for (const { kind, seen } of await pullUnderLoad(world, 4)) {
      for (const received of seen) {
        if (kind === "cached manifest") expect(received.status, explain(received)).toBe(200)
        else {
          expect(received.status, explain(received)).toBe(503)
          expect(ociErrorCodes(received)).toEqual(["UNAVAILABLE"])
        }
      }
    }

    await s3.start()
    // Recovers by itself: no restart of the service, at most a few failed attempts while connections reopen.
    await waitUntil(async () => (await root.pull(GROUP, "cached", "blobs", layer.digest)).status === 200, 60_000, 200, "the cached blob served again")
    const again = await root.pull(GROUP, "cached", "blobs", layer.digest)
    expect(bodyDigest(again), explain(again)).toBe(layer.digest)
    const fresh = await root.pull(GROUP, "later", "blobs", onlyLayer(world.later).digest)
    expect(bodyDigest(fresh), explain(fresh)).toBe(onlyLayer(world.later).digest)

    const checked = await cli(["fsck"], world.env)
    expect(checked.code, checked.stdout + checked.stderr).toBe(0)
  }, 600_000)
})
