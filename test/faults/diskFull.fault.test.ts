import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { blobStoreState, leftovers } from "../support/faults/blobStoreState.js"
import { MiB, onlyLayer } from "../support/faults/images.js"
import { leakedSecrets, splitLines, warningsMentioning } from "../support/faults/logLines.js"
import { bodyDigest, explain, ociErrorCodes, pullClient, type PullClient } from "../support/faults/registryClient.js"
import { mountSmallDisk, type SmallDisk } from "../support/faults/smallDisk.js"
import { cli, json, type RunningServer, startServer } from "../support/processes.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import type { PushedImage } from "../support/upstream/images.js"

const ROOT_PASSWORD = "root-password-D1sk"
const DISK_BYTES = 16 * MiB
const GROUP = "team"

/**
 * `serve` whose DATA_DIR is a 16 MiB tmpfs (the event store is on Postgres, so only the blob cache runs out of
 * space). Running out of space must cost the pull that hit it, nothing more: no partial blob, no temporary
 * file holding the space, a warning saying why, and pulls that work again once there is room.
 */
describe("the data directory runs out of space", () => {
  const database = Effect.runSync(Scope.make())
  let upstream: Upstream
  let disk: SmallDisk
  let server: RunningServer
  let root: PullClient
  let huge: PushedImage
  let small: PushedImage
  const blobsDir = () => join(disk.dir, "blobs")

  beforeAll(async () => {
    const databaseUrl = await Effect.runPromise(Scope.extend(freshDatabase, database))
    upstream = await startUpstream()
    huge = await upstream.images.largeLayer("library/huge", "1", 24 * MiB)
    small = await upstream.images.largeLayer("library/small", "1", MiB)
    disk = await mountSmallDisk(DISK_BYTES)
    const env = { DATABASE_URL: databaseUrl, DATA_DIR: disk.dir, UPSTREAM_URL: upstream.url, INITIAL_ROOT_PASSWORD: ROOT_PASSWORD }
    server = await startServer(env)
    json(await cli(["admin", "create-group", "--path", GROUP], env))
    root = pullClient(server.url, "root", ROOT_PASSWORD)
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    await disk?.unmount()
    await upstream?.stopAll()
    await Effect.runPromise(Scope.close(database, Exit.void))
  })

  it("a blob larger than the disk: the client's transfer is aborted, nothing partial stays, the log says ENOSPC, and the space is given back", async () => {
    const layer = onlyLayer(huge)
    const pulled = await root.pull(GROUP, "huge", "blobs", layer.digest)
    expect(pulled.status, explain(pulled)).toBe(200)
    expect(pulled.body._tag, explain(pulled)).toBe("Aborted")

    expect(leftovers(await blobStoreState(blobsDir()), layer.digest)).toEqual([])
    // The temporary file is gone, so is the space it took: a megabyte of slack for keys and directories.
    expect(await disk.freeBytes()).toBeGreaterThan(DISK_BYTES - MiB)
    expect.soft(warningsMentioning(splitLines(server.output()), "blob download failed", layer.digest, "ENOSPC").length, "a warning names the blob and ENOSPC").toBeGreaterThanOrEqual(1)

    const fits = await root.pull(GROUP, "small", "blobs", onlyLayer(small).digest)
    expect(bodyDigest(fits)).toBe(onlyLayer(small).digest)
  }, 60_000)

  it("a full disk: an uncached manifest is an OCI 503 and a blob is cut off, nothing partial is kept; once space is freed both pull whole", async () => {
    const layer = onlyLayer(huge)
    await disk.fill()
    try {
      const manifest = await root.pull(GROUP, "huge", "manifests", "1")
      expect(manifest.status, explain(manifest)).toBe(503)
      expect(ociErrorCodes(manifest)).toEqual(["UNAVAILABLE"])
      expect(leftovers(await blobStoreState(blobsDir()), huge.manifest.digest), "after the manifest").toEqual([])
      const config = await root.pull(GROUP, "huge", "blobs", huge.config.digest)
      expect(config.body._tag === "Complete" && config.status === 200, explain(config)).toBe(false)
      expect(leftovers(await blobStoreState(blobsDir()), huge.config.digest), "after the blob").toEqual([])
      expect(server.process.exitCode, "the server is still running").toBeNull()
    } finally {
      await disk.free()
    }

    const manifest = await root.pull(GROUP, "huge", "manifests", "1")
    expect(manifest.status, explain(manifest)).toBe(200)
    expect(bodyDigest(manifest)).toBe(huge.manifest.digest)
    expect(bodyDigest(await root.pull(GROUP, "huge", "blobs", huge.config.digest))).toBe(huge.config.digest)
    expect(leftovers(await blobStoreState(blobsDir()), layer.digest)).toEqual([])
    expect(leakedSecrets(splitLines(server.output()), [ROOT_PASSWORD, ...root.issuedTokens()])).toEqual([])
  }, 60_000)
})
