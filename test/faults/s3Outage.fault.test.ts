import { randomUUID } from "node:crypto"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { MiB, onlyLayer } from "../support/faults/images.js"
import { bodyDigest, explain, ociErrorCodes, pullClient, type PullClient, type Received } from "../support/faults/registryClient.js"
import { cli, json, type RunningServer, startServer } from "../support/processes.js"
import { waitUntil } from "../support/waitUntil.js"
import { freshS3Location, privateRadosgw, s3ServeEnv } from "../support/s3.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import type { PushedImage } from "../support/upstream/images.js"

const ROOT_PASSWORD = "root-password-S3out"
const GROUP = "team"

/**
 * `serve` with blobs in S3 (a radosgw of this test's own), which is stopped under load and started again.
 * While it is down: cached manifests still answer (the store remembers small objects), blob requests get an
 * OCI 503, nothing answers 500 or wrong bytes. Once it is back the service recovers by itself: the cached
 * blob is served, an uncached image is pulled, and `fsck` finds everything intact.
 */
describe("S3 stops and starts again under load", () => {
  const database = Effect.runSync(Scope.make())
  let upstream: Upstream
  let s3: Awaited<ReturnType<typeof privateRadosgw>>
  let server: RunningServer
  let env: Record<string, string>
  let root: PullClient
  let cached: PushedImage
  let later: PushedImage

  beforeAll(async () => {
    s3 = await privateRadosgw(`/tmp/dp-s3-outage-${randomUUID().slice(0, 8)}`)
    const location = freshS3Location("outage", s3.env)
    const databaseUrl = await Effect.runPromise(Scope.extend(freshDatabase, database))
    upstream = await startUpstream()
    cached = await upstream.images.largeLayer("library/cached", "1", 2 * MiB)
    later = await upstream.images.largeLayer("library/later", "1", 3 * MiB)
    env = {
      DATABASE_URL: databaseUrl,
      UPSTREAM_URL: upstream.url,
      INITIAL_ROOT_PASSWORD: ROOT_PASSWORD,
      ...s3ServeEnv(location),
      S3_TIMEOUT: "5s"
    }
    server = await startServer(env)
    json(await cli(["admin", "create-group", "--path", GROUP], env))
    root = pullClient(server.url, "root", ROOT_PASSWORD)
  }, 600_000)
  afterAll(async () => {
    await server?.stop()
    await upstream?.stopAll()
    await s3?.purge()
    await Effect.runPromise(Scope.close(database, Exit.void))
  }, 300_000)

  it("cached manifests answer and blobs get 503 while S3 is down; pulls work again once it is back, and fsck is clean", async () => {
    const layer = onlyLayer(cached)
    const manifest = await root.pull(GROUP, "cached", "manifests", "1")
    expect(manifest.status, explain(manifest)).toBe(200)
    const blob = await root.pull(GROUP, "cached", "blobs", layer.digest)
    expect(bodyDigest(blob), explain(blob)).toBe(layer.digest)

    await s3.stop()
    // Load while it is down: clients keep asking for the cached manifest and blob, and for an uncached blob.
    const outcomes = await Promise.all(Array.from({ length: 6 }, async (_, client) => {
      const seen: Array<Received> = []
      for (let i = 0; i < 4; i += 1) {
        if (client % 3 === 0) seen.push(await root.pull(GROUP, "cached", "manifests", "1"))
        else if (client % 3 === 1) seen.push(await root.pull(GROUP, "cached", "blobs", layer.digest))
        else seen.push(await root.pull(GROUP, "later", "blobs", onlyLayer(later).digest))
      }
      return { client, seen }
    }))
    for (const { client, seen } of outcomes) {
      for (const received of seen) {
        if (client % 3 === 0) expect(received.status, explain(received)).toBe(200)
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
    const fresh = await root.pull(GROUP, "later", "blobs", onlyLayer(later).digest)
    expect(bodyDigest(fresh), explain(fresh)).toBe(onlyLayer(later).digest)

    const checked = await cli(["fsck"], env)
    expect(checked.code, checked.stdout + checked.stderr).toBe(0)
  }, 600_000)
})
