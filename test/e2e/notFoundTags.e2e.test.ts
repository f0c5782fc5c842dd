import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createGroup } from "../../src/application/useCases/groups.js"
import { type FaultWorld, GROUP, startFaultWorld } from "../support/worlds/faultWorld.js"
import { bodyDigest, explain, ociErrorCodes } from "../support/faults/registryClient.js"

const OTHER_GROUP = "other"

/**
 * A 404 from upstream for a tag is remembered per group for UPSTREAM_NOT_FOUND_TTL (ADR 0012), so a CI loop
 * asking for a missing tag costs one upstream request per TTL, not one per pull. The fault proxy here only
 * counts what reaches upstream.
 */
describe("remembered upstream 404s", () => {
  let world: FaultWorld
  beforeAll(async () => {
    world = await startFaultWorld({}, { notFoundTtlMs: 60_000 })
    // A second group alice pulls through, with no Docker Hub credentials of its own.
    await world.proxy.run(createGroup({ path: OTHER_GROUP, name: "Other", parentId: null, ownerUserId: world.aliceId }))
  }, 120_000)
  afterAll(async () => {
    await world?.close()
  })

  /** Requests for `path` upstream answered 404 (a first request per repository also meets the token challenge). */
  const upstreamAsked = (path: string) => world.faults.requests({ pathIncludes: path }).filter((r) => r.status === 404).length

  it("a missing tag is asked for once: the next pulls answer MANIFEST_UNKNOWN without asking upstream", async () => {
    const missing = await world.alice.pull(GROUP, "ghost", "manifests", "v1")
    expect(missing.status, explain(missing)).toBe(404)
    const asked = world.faults.requests().length
    for (let i = 0; i < 2; i++) {
      const again = await world.alice.pull(GROUP, "ghost", "manifests", "v1")
      expect(again.status, explain(again)).toBe(404)
      expect(ociErrorCodes(again)).toEqual(["MANIFEST_UNKNOWN"])
    }
    expect(world.faults.requests()).toHaveLength(asked)
    expect(upstreamAsked("/ghost/manifests/v1")).toBe(1)
    const metrics = await (await fetch(`http://${world.proxy.host}/metrics`)).text()
    expect(metrics).toMatch(/^dependency_proxy_cache_lookups_total\{kind="manifest",result="not_found"\} 2$/m)
  }, 60_000)

  it("is remembered per group: another group still asks upstream", async () => {
    const before = upstreamAsked("/ghost/manifests/v1")
    const missing = await world.alice.pull(OTHER_GROUP, "ghost", "manifests", "v1")
    expect(missing.status, explain(missing)).toBe(404)
    expect(upstreamAsked("/ghost/manifests/v1")).toBe(before + 1)
  }, 60_000)

  it("holds back only that tag: the image pulled by digest, or by another tag, is fetched", async () => {
    const image = await world.upstream.images.singleArch("library/ghost", "v2")
    expect(bodyDigest(await world.alice.pull(GROUP, "ghost", "manifests", image.manifest.digest))).toBe(image.manifest.digest)
    expect(bodyDigest(await world.alice.pull(GROUP, "ghost", "manifests", "v2"))).toBe(image.manifest.digest)
    // A copy cached since by another replica wins over the remembered 404: test/replicas/upstreamKnowledge.
  }, 60_000)
})
