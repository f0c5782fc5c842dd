import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { MiB, onlyLayer } from "../support/faults/images.js"
import { bodyDigest, explain, ociErrorCodes, pullClient, type PullClient, type Received } from "../support/faults/registryClient.js"
import { type SlowTcpProxy, startSlowTcpProxy } from "../support/faults/slowTcpProxy.js"
import { cli, json, type RunningServer, startServer } from "../support/processes.js"
import { freshS3Location, s3ServeEnv } from "../support/s3.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import type { PushedImage } from "../support/upstream/images.js"
import { waitUntil } from "../support/waitUntil.js"

const ROOT_PASSWORD = "root-password-S3slow"
const GROUP = "team"
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
  const database = Effect.runSync(Scope.make())
  let upstream: Upstream
  let proxy: SlowTcpProxy
  let server: RunningServer
  let env: Record<string, string>
  let root: PullClient
  let cached: PushedImage
  let later: PushedImage

  beforeAll(async () => {
    const location = freshS3Location("slow")
    const endpoint = new URL(location.endpoint)
    proxy = await startSlowTcpProxy({ host: endpoint.hostname, port: Number(endpoint.port) })
    const databaseUrl = await Effect.runPromise(Scope.extend(freshDatabase, database))
    upstream = await startUpstream()
    cached = await upstream.images.largeLayer("library/cached", "1", 2 * MiB)
    later = await upstream.images.largeLayer("library/later", "1", 3 * MiB)
    env = {
      DATABASE_URL: databaseUrl,
      UPSTREAM_URL: upstream.url,
      INITIAL_ROOT_PASSWORD: ROOT_PASSWORD,
      ...s3ServeEnv({ ...location, endpoint: proxy.url }),
      S3_TIMEOUT: `${S3_TIMEOUT_MS}ms`
    }
    server = await startServer(env)
    json(await cli(["admin", "create-group", "--path", GROUP], env))
    root = pullClient(server.url, "root", ROOT_PASSWORD)
  }, 600_000)
  afterAll(async () => {
    await server?.stop()
    await upstream?.stopAll()
    await proxy?.close()
    await Effect.runPromise(Scope.close(database, Exit.void))
  }, 300_000)

  it("cached manifests answer, blobs end within a bound (bytes or 503), the errors are counted, and it recovers by itself", async () => {
    const layer = onlyLayer(cached)
    expect((await root.pull(GROUP, "cached", "manifests", "1")).status).toBe(200)
    const first = await root.pull(GROUP, "cached", "blobs", layer.digest)
    expect(bodyDigest(first), explain(first)).toBe(layer.digest)
    const metricsBefore = await (await fetch(`${server.url}/metrics`)).text()
    expect(sample(metricsBefore, /^dependency_proxy_s3_requests_total\{operation="PutObject",outcome="ok"\} (\d+)$/m)).toBeGreaterThan(0)

    proxy.setDelay(2.5 * S3_TIMEOUT_MS)
    const outcomes = await Promise.all(Array.from({ length: 6 }, async (_, client) => {
      const seen: Array<Received> = []
      for (let i = 0; i < 2; i += 1) {
        if (client % 3 === 0) seen.push(await root.pull(GROUP, "cached", "manifests", "1"))
        else if (client % 3 === 1) seen.push(await root.pull(GROUP, "cached", "blobs", layer.digest, ANSWER_BOUND_MS + 5_000))
        else seen.push(await root.pull(GROUP, "later", "blobs", onlyLayer(later).digest, ANSWER_BOUND_MS + 5_000))
      }
      return { client, seen }
    }))
    for (const { client, seen } of outcomes) {
      for (const received of seen) {
        if (client % 3 === 0) {
          expect(received.status, explain(received)).toBe(200)
          continue
        }
        expect(received.elapsedMs, explain(received)).toBeLessThan(ANSWER_BOUND_MS)
        const wanted = client % 3 === 1 ? layer.digest : onlyLayer(later).digest
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
    await waitUntil(async () => bodyDigest(await root.pull(GROUP, "later", "blobs", onlyLayer(later).digest)) === onlyLayer(later).digest, 60_000, 200, "the uncached blob pulled")
    const checked = await cli(["fsck"], env)
    expect(checked.code, checked.stdout + checked.stderr).toBe(0)
  }, 600_000)
})
