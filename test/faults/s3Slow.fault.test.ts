import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { onlyLayer } from "../support/faults/images.js"
import { bodyDigest, explain, ociErrorCodes } from "../support/faults/registryClient.js"
import { pullUnderLoad, S3_FAULT_GROUP as GROUP, type S3FaultWorld, startS3FaultWorld } from "../support/faults/s3FaultWorld.js"
import { type SlowTcpProxy, startSlowTcpProxy } from "../support/faults/slowTcpProxy.js"
import { cli } from "../support/processes.js"
import { freshS3Location } from "../support/s3.js"
import { waitUntil } from "../support/waitUntil.js"

/** The service's per-request S3 timeout in this test. */
const S3_TIMEOUT_MS = 2_000
/** How long a blob request may take to end (bytes or a 503) while S3 crawls: a few S3 timeouts, not forever. */
const ANSWER_BOUND_MS = 6 * S3_TIMEOUT_MS

/** The value of one `/metrics` sample, 0 when absent. */
const sample = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0)

/**
 * S3 slow (a TCP proxy in front of radosgw holding every chunk 5 s, past S3_TIMEOUT): cached manifests still
 * answer, blob requests end within a bound with their bytes or an OCI 503 (never a 500 or wrong bytes), the
 * failures show in `/metrics`, and once S3 is quick again the service recovers by itself with nothing lost.
 */
describe("S3 slow", () => {
  let proxy: SlowTcpProxy
  let world: S3FaultWorld

  beforeAll(async () => {
    const location = freshS3Location("slow")
    const endpoint = new URL(location.endpoint)
    proxy = await startSlowTcpProxy({ host: endpoint.hostname, port: Number(endpoint.port) })
    world = await startS3FaultWorld({ ...location, endpoint: proxy.url }, `${S3_TIMEOUT_MS}ms`, "root-password-S3slow")
  }, 600_000)
  afterAll(async () => {
    await world?.stop()
    await proxy?.close()
  }, 300_000)

  it("cached manifests answer, blobs end within a bound (bytes or 503), the errors are counted, and it recovers by itself", async () => {
    const { root, server } = world
    const layer = onlyLayer(world.cached)
    expect((await root.pull(GROUP, "cached", "manifests", "1")).status).toBe(200)
    const first = await root.pull(GROUP, "cached", "blobs", layer.digest)
    expect(bodyDigest(first), explain(first)).toBe(layer.digest)
    const metricsBefore = await (await fetch(`${server.url}/metrics`)).text()
    expect(sample(metricsBefore, /^dependency_proxy_s3_requests_total\{operation="PutObject",outcome="ok"\} (\d+)$/m)).toBeGreaterThan(0)

    proxy.setDelay(2.5 * S3_TIMEOUT_MS)
    for (const { kind, seen } of await pullUnderLoad(world, 2, ANSWER_BOUND_MS + 5_000)) {
      for (const received of seen) {
        if (kind === "cached manifest") {
          expect(received.status, explain(received)).toBe(200)
          continue
        }
        expect(received.elapsedMs, explain(received)).toBeLessThan(ANSWER_BOUND_MS)
        const wanted = kind === "cached blob" ? layer.digest : onlyLayer(world.later).digest
        if (received.status === 200) expect(bodyDigest(received), explain(received)).toBe(wanted)
        else {
          expect(received.status, explain(received)).toBe(503)
          expect(ociErrorCodes(received)).toEqual(["UNAVAILABLE"])
        }
      }
    }
    const metricsSlow = await (await fetch(`${server.url}/metrics`)).text()
    expect(sample(metricsSlow, /^dependency_proxy_s3_requests_total\{operation="HeadObject",outcome="unreachable"\} (\d+)$/m)).toBeGreaterThan(0)

    proxy.setDelay(0)
    await waitUntil(async () => (await root.pull(GROUP, "cached", "blobs", layer.digest)).status === 200, 60_000, 200, "the cached blob served again")
    const again = await root.pull(GROUP, "cached", "blobs", layer.digest)
    expect(bodyDigest(again), explain(again)).toBe(layer.digest)
    await waitUntil(async () => bodyDigest(await root.pull(GROUP, "later", "blobs", onlyLayer(world.later).digest)) === onlyLayer(world.later).digest, 60_000, 200, "the uncached blob pulled")
    const checked = await cli(["fsck"], world.env)
    expect(checked.code, checked.stdout + checked.stderr).toBe(0)
  }, 600_000)
})
