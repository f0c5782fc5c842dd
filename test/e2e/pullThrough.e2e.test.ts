import { createHash } from "node:crypto"
import { MANIFEST_MEDIA_TYPES } from "../../src/application/ports/UpstreamRegistry.js"
import { execFile } from "node:child_process"
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createGroup, updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { createUser } from "../../src/application/useCases/users.js"
import { fsck } from "../../src/application/cache/fsck.js"
import { proxyHarness } from "../support/proxyApp.js"
import { scopeFor } from "../support/registryApp.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import type { PushedImage, PushedIndex } from "../support/upstream/images.js"

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`
const ACCEPT = MANIFEST_MEDIA_TYPES.join(", ")

const run = (cmd: string, args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(cmd, [...args], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    })
  })

/**
 * The cache against a real upstream (distribution with a Docker-Hub-like token server) and a real client
 * (skopeo). Upstream traffic is counted from the upstream's own access log, not from our code.
 */
describe("pulling through the cache", () => {
  let upstream: Upstream
  let proxy: Awaited<ReturnType<typeof proxyHarness>>
  let alpine: PushedImage
  let multi: PushedIndex
  let big: PushedImage
  let secret: PushedImage
  const password = "alice-password"

  beforeAll(async () => {
    upstream = await startUpstream({ users: { hubuser: "hubpass" }, privateRepos: ["private/"], tokenTtlSeconds: 4 })
    alpine = await upstream.images.singleArch("library/alpine", "3.19")
    multi = await upstream.images.multiArch("library/multi", "1")
    big = await upstream.images.largeLayer("library/big", "1", 100 * 1024 * 1024)
    secret = await upstream.images.singleArch("private/secret", "1")
    proxy = await proxyHarness(upstream.url)
    const alice = await proxy.run(createUser({ username: "alice", email: "a@x.io", name: "A", password, admin: false }))
    for (const path of ["team", "creds", "other"]) {
      const id = await proxy.run(createGroup({ path, name: path, parentId: null, ownerUserId: alice }))
      if (path === "creds") await proxy.run(updateDependencyProxySettings(id, { identity: "hubuser", secret: "hubpass" }))
    }
  }, 300_000)

  afterAll(async () => {
    await proxy?.close()
    await upstream?.stopAll()
  })

  const token = async (group: string, image: string) => {
    const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor(group, image) })
    const response = await fetch(`http://${proxy.host}/jwt/auth?${query}`, {
      headers: { authorization: `Basic ${Buffer.from(`alice:${password}`).toString("base64")}` }
    })
    expect(response.status).toBe(200)
    return ((await response.json()) as { token: string }).token
  }
  const get = async (group: string, image: string, kind: "manifests" | "blobs", reference: string) =>
    fetch(`http://${proxy.host}/v2/${group}/dependency_proxy/containers/${image}/${kind}/${reference}`, {
      headers: { authorization: `Bearer ${await token(group, image)}`, accept: ACCEPT }
    })
  const skopeoCopy = async (group: string, image: string, reference: string) => {
    const dir = await mkdtemp(join(tmpdir(), "dp-pulled-"))
    const separator = reference.startsWith("sha256:") ? "@" : ":"
    const result = await run("skopeo", [
      "copy", "--all", "--src-tls-verify=false", "--src-creds", `alice:${password}`,
      `docker://${proxy.host}/${group}/dependency_proxy/containers/${image}${separator}${reference}`, `dir:${dir}`
    ])
    return { ...result, dir }
  }

  it("pulls single-arch, multi-arch and a 100 MiB layer with skopeo, every digest verified", async () => {
    for (const [image, expected] of [["alpine", alpine.manifest.digest], ["multi", multi.index.digest], ["big", big.manifest.digest]] as const) {
      const pulled = await skopeoCopy("team", image, image === "multi" ? "1" : image === "big" ? "1" : "3.19")
      expect(pulled.stderr).toBe("")
      expect(pulled.code).toBe(0)
      expect(sha256(await readFile(join(pulled.dir, "manifest.json")))).toBe(expected)
      await rm(pulled.dir, { recursive: true, force: true })
    }
    const layer = big.layers[0]
    expect(layer?.size).toBeGreaterThan(100 * 1024 * 1024)
  }, 300_000)

  it("a second pull of a fresh tag costs one manifest HEAD, no GET and no blob request upstream", async () => {
    await upstream.registry.clearAccessLog()
    const pulled = await skopeoCopy("team", "alpine", "3.19")
    expect(pulled.code).toBe(0)
    expect(await upstream.registry.countManifestHeads("library/alpine")).toBe(1)
    expect(await upstream.registry.countManifestGets("library/alpine")).toBe(0)
    expect(await upstream.registry.countRequests({ kind: "blob" })).toBe(0)
  }, 120_000)

  it("a pull by digest of a cached image makes no upstream request at all", async () => {
    await upstream.registry.clearAccessLog()
    const pulled = await skopeoCopy("team", "alpine", alpine.manifest.digest)
    expect(pulled.code).toBe(0)
    expect(await upstream.registry.countRequests({})).toBe(0)
  }, 120_000)

  it("a client that cannot read indexes gets the linux/amd64 image", async () => {
    const response = await fetch(`http://${proxy.host}/v2/team/dependency_proxy/containers/multi/manifests/1`, {
      headers: { authorization: `Bearer ${await token("team", "multi")}`, accept: "application/vnd.oci.image.manifest.v1+json" }
    })
    expect(response.status).toBe(200)
    expect(response.headers.get("docker-content-digest")).toBe(multi.images[0]?.manifest.digest)
  })

  it("ten concurrent pulls of an uncached 100 MiB blob make one upstream GET, and all get verified bytes", async () => {
    const fresh = await upstream.images.largeLayer("library/fresh", "1", 100 * 1024 * 1024)
    const layer = fresh.layers[0]
    if (layer === undefined) throw new Error("the fixture built no layer")
    await upstream.registry.clearAccessLog()
    const digests = await Promise.all(Array.from({ length: 10 }, async () => {
      const response = await get("team", "fresh", "blobs", layer.digest)
      expect(response.status).toBe(200)
      const hash = createHash("sha256")
      for await (const chunk of response.body ?? []) hash.update(chunk)
      return `sha256:${hash.digest("hex")}`
    }))
    expect(new Set(digests)).toEqual(new Set([layer.digest]))
    expect(await upstream.registry.countBlobGets(layer.digest)).toBe(1)
  }, 300_000)

  it("a client that disconnects does not stop the download: the next pull is a cache hit", async () => {
    const image = await upstream.images.largeLayer("library/abandoned", "1", 64 * 1024 * 1024)
    const layer = image.layers[0]
    if (layer === undefined) throw new Error("the fixture built no layer")
    await upstream.registry.clearAccessLog()
    const controller = new AbortController()
    const first = await fetch(`http://${proxy.host}/v2/team/dependency_proxy/containers/abandoned/blobs/${layer.digest}`, {
      headers: { authorization: `Bearer ${await token("team", "abandoned")}` },
      signal: controller.signal
    })
    const reader = first.body?.getReader()
    await reader?.read()
    controller.abort()
    const hex = layer.digest.slice("sha256:".length)
    const cachedFile = join(proxy.blobsDir, "sha256", hex.slice(0, 2), hex)
    const deadline = Date.now() + 60_000
    while (await stat(cachedFile).then(() => false, () => true)) {
      if (Date.now() > deadline) throw new Error("the abandoned download never finished")
      await new Promise((r) => setTimeout(r, 100))
    }
    const again = await get("team", "abandoned", "blobs", layer.digest)
    expect(sha256(new Uint8Array(await again.arrayBuffer()))).toBe(layer.digest)
    expect(await upstream.registry.countBlobGets(layer.digest)).toBe(1)
  }, 120_000)

  it("pulls a private image with the group's Docker Hub credentials; a group without them cannot", async () => {
    const pulled = await skopeoCopy("creds", "private/secret", "1")
    expect(pulled.stderr).toBe("")
    expect(pulled.code).toBe(0)
    expect(sha256(await readFile(join(pulled.dir, "manifest.json")))).toBe(secret.manifest.digest)
    const refused = await skopeoCopy("other", "private/secret", "1")
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain("manifest unknown")
  }, 120_000)

  it("an upstream that serves corrupt bytes leaves nothing cached", async () => {
    const victim = await upstream.images.singleArch("library/victim", "1", { files: { "a.txt": "x".repeat(100_000) } })
    const layer = victim.layers[0]
    if (layer === undefined) throw new Error("the fixture built no layer")
    const hex = layer.digest.slice("sha256:".length)
    const stored = join(upstream.registry.storageDir, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data")
    const bytes = await readFile(stored)
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff
    await writeFile(stored, bytes)
    const response = await get("team", "victim", "blobs", layer.digest)
    const received = await response.arrayBuffer().then((b) => sha256(new Uint8Array(b)), () => "aborted")
    expect(received).not.toBe(layer.digest)
    await expect(stat(join(proxy.blobsDir, "sha256", hex.slice(0, 2), hex))).rejects.toThrow(/ENOENT/)
  }, 120_000)

  it("fsck reports a cached blob whose file was deleted, and the next pull fetches it again", async () => {
    const layer = alpine.layers[0]
    if (layer === undefined) throw new Error("the fixture built no layer")
    const hex = layer.digest.slice("sha256:".length)
    expect((await proxy.run(fsck(false))).problems).toEqual([])
    await rm(join(proxy.blobsDir, "sha256", hex.slice(0, 2), hex))
    const report = await proxy.run(fsck(false))
    expect(report.problems).toEqual([{ digest: layer.digest, status: "missing", usedBy: ["blob 1"] }])
    const response = await get("team", "alpine", "blobs", layer.digest)
    expect(response.status).toBe(200)
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(layer.digest)
  }, 120_000)

  it("a group without credentials cannot get a private blob that another group cached", async () => {
    const layer = secret.layers[0]
    if (layer === undefined) throw new Error("the fixture built no layer")
    const withCredentials = await get("creds", "private/secret", "blobs", layer.digest)
    expect(withCredentials.status).toBe(200)
    expect(sha256(new Uint8Array(await withCredentials.arrayBuffer()))).toBe(layer.digest)
    const without = await get("other", "private/secret", "blobs", layer.digest)
    expect(without.status).toBe(404)
    expect(await without.json()).toMatchObject({ errors: [{ code: "BLOB_UNKNOWN" }] })
    const manifest = await get("other", "private/secret", "manifests", "1")
    expect(manifest.status).toBe(404)
  }, 120_000)

  it("a retagged upstream image is fetched again on the next pull", async () => {
    const moved = await upstream.images.retag("library/alpine", "3.19")
    const response = await get("team", "alpine", "manifests", "3.19")
    expect(response.status).toBe(200)
    expect(response.headers.get("docker-content-digest")).toBe(moved.manifest.digest)
    alpine = moved
  }, 120_000)

  it("with the token server down, cached tags still pull (once the cached upstream token has expired)", async () => {
    await upstream.tokenServer.stop()
    try {
      await new Promise((r) => setTimeout(r, 5_000))
      const response = await get("team", "alpine", "manifests", "3.19")
      expect(response.status).toBe(200)
      expect(response.headers.get("docker-content-digest")).toBe(alpine.manifest.digest)
    } finally {
      await upstream.tokenServer.start()
    }
  }, 60_000)

  it("with the upstream down, every cached tag and digest pulls and an uncached one fails with an OCI 503", async () => {
    await upstream.registry.stop()
    try {
      for (const [image, reference] of [["alpine", "3.19"], ["alpine", alpine.manifest.digest], ["multi", "1"], ["big", "1"]] as const) {
        const response = await get("team", image, "manifests", reference)
        expect(response.status).toBe(200)
      }
      // A whole image whose blobs are all cached (the retagged alpine's new layers never were).
      const pulled = await skopeoCopy("team", "big", "1")
      expect(pulled.stderr).toBe("")
      expect(pulled.code).toBe(0)
      const missing = await get("team", "never-pulled", "manifests", "1")
      expect(missing.status).toBe(503)
      expect(await missing.json()).toMatchObject({ errors: [{ code: "UNAVAILABLE" }] })
    } finally {
      await upstream.registry.start()
    }
  }, 120_000)
})
