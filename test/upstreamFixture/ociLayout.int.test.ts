import { createHash } from "node:crypto"
import { readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import { gunzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createLayout, writeLayer } from "../support/upstream/ociLayout.js"
import { fileFromBytes } from "../support/upstream/tar.js"
import { requireTool, runChecked, tempDir } from "../support/upstream/tools.js"

/** The hand-written tar must be one that GNU tar (and so a container runtime) can read back. */
describe("OCI layout layers", () => {
  let dir = ""
  beforeAll(async () => {
    dir = await tempDir("oci-layout-test-")
    await createLayout(dir)
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const blob = (digest: string) => join(dir, "blobs", "sha256", digest.slice("sha256:".length))

  it("writes a gzip layer whose digests are those of its bytes, readable by tar", async () => {
    const tar = await requireTool("tar", "tar")
    const layer = await writeLayer(dir, [fileFromBytes("etc/hello.txt", "hello\n"), fileFromBytes("bin/tool", "#!/bin/sh\n")], { kind: "gzip", level: 6 })
    const bytes = await readFile(blob(layer.digest))
    expect(`sha256:${createHash("sha256").update(bytes).digest("hex")}`).toBe(layer.digest)
    expect(bytes.length).toBe(layer.size)
    const tarBytes = gunzipSync(bytes)
    expect(`sha256:${createHash("sha256").update(tarBytes).digest("hex")}`).toBe(layer.diffId)
    expect(tarBytes.length).toBe(layer.uncompressedSize)

    const listing = await runChecked(tar, ["-tvzf", blob(layer.digest)])
    expect(listing.stdout.trim().split("\n").map((line) => line.split(/\s+/).at(-1))).toEqual(["bin/", "etc/", "bin/tool", "etc/hello.txt"])
    expect((await runChecked(tar, ["-xzOf", blob(layer.digest), "etc/hello.txt"])).stdout).toBe("hello\n")
  })

  it("gives the same digest for the same files", async () => {
    const files = [fileFromBytes("a", "same")]
    const first = await writeLayer(dir, files, { kind: "gzip", level: 6 })
    const second = await writeLayer(dir, files, { kind: "gzip", level: 6 })
    expect(second.digest).toBe(first.digest)
  })

  it("stores an uncompressed layer as the tar itself", async () => {
    const layer = await writeLayer(dir, [fileFromBytes("a", "x")], { kind: "none" })
    expect(layer.digest).toBe(layer.diffId)
    expect(layer.mediaType).toBe("application/vnd.oci.image.layer.v1.tar")
  })
})
