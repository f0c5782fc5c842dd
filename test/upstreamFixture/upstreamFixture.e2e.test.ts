import { createHash } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Upstream, startUpstream } from "../support/upstream/fixture.js"
import type { PushedImage } from "../support/upstream/images.js"
import { fetchToken } from "../support/upstream/tokenServer.js"

/**
 * Proves the upstream fixture itself: a real distribution 2.8 registry behind the Docker-Hub-like token
 * server, driven by real skopeo. Tests of the proxy rely on every behaviour checked here.
 * The tests share one upstream and run in order; the outage tests restore what they stop.
 */
describe("upstream fixture", () => {
  let upstream: Upstream
  let alpine: PushedImage

  const ref = (repository: string, tag: string): string => `docker://${upstream.host}/${repository}:${tag}`
  const inspect = (reference: string, ...flags: ReadonlyArray<string>) =>
    upstream.skopeo.run(["inspect", "--tls-verify=false", "--no-tags", ...flags, reference])
  const inspectedDigest = (stdout: string): unknown => {
    const parsed: unknown = JSON.parse(stdout)
    return typeof parsed === "object" && parsed !== null && "Digest" in parsed ? parsed.Digest : undefined
  }
  const pullToken = (repository: string, basic?: { username: string; password: string }) =>
    fetchToken(upstream.tokenServer.realm, { service: upstream.service, scopes: [`repository:${repository}:pull`], ...(basic === undefined ? {} : { basic }) })

  beforeAll(async () => {
    upstream = await startUpstream({
      users: { alice: "alice-password", bob: "bob-password" },
      privateRepos: ["private/", { match: "team/secret", readers: ["alice"] }]
    })
    alpine = await upstream.images.singleArch("library/alpine", "3.19")
  })
  afterAll(async () => {
    await upstream.stopAll()
  })

  it("serves a public image to an anonymous client", async () => {
    const result = await inspect(ref("library/alpine", "3.19"))
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ Digest: alpine.manifest.digest, Architecture: "amd64", Os: "linux" })
  })

  it("refuses a private image anonymously and serves it with credentials", async () => {
    const image = await upstream.images.singleArch("private/app", "1.0")

    const anonymous = await inspect(ref("private/app", "1.0"))
    expect(anonymous.code).not.toBe(0)
    expect(anonymous.stderr).toMatch(/unauthorized|authentication required/i)

    const alice = await inspect(ref("private/app", "1.0"), "--creds", "alice:alice-password")
    expect(alice.stderr).toBe("")
    expect(inspectedDigest(alice.stdout)).toBe(image.manifest.digest)

    const wrongPassword = await inspect(ref("private/app", "1.0"), "--creds", "alice:nope")
    expect(wrongPassword.code).not.toBe(0)
    expect(wrongPassword.stderr).toContain("incorrect username or password")
    expect(upstream.tokenServer.requests().at(-1)).toMatchObject({ username: "alice", status: 401 })
  })

  it("limits a private repository to its readers", async () => {
    await upstream.images.singleArch("team/secret", "1")
    expect((await inspect(ref("team/secret", "1"), "--creds", "alice:alice-password")).code).toBe(0)
    const bob = await inspect(ref("team/secret", "1"), "--creds", "bob:bob-password")
    expect(bob.code).not.toBe(0)
    expect(upstream.tokenServer.requests().at(-1)).toMatchObject({ username: "bob", status: 200, granted: [{ name: "team/secret", actions: [] }] })
  })

  it("pushes a multi-arch index that the registry serves byte for byte", async () => {
    const pushed = await upstream.images.multiArch("library/multi", "1")
    const raw = await inspect(ref("library/multi", "1"), "--raw")
    expect(raw.code).toBe(0)
    expect(raw.stdout).toBe(pushed.index.json)
    expect(JSON.parse(raw.stdout)).toMatchObject({
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: pushed.images.map((image) => ({ digest: image.manifest.digest, platform: image.platform }))
    })
    expect(pushed.images.map((image) => image.platform.architecture)).toEqual(["amd64", "arm64"])
    const arm = await upstream.skopeo.run(["inspect", "--tls-verify=false", "--no-tags", "--override-arch", "arm64", ref("library/multi", "1")])
    // skopeo 1.9 reports the index digest as "Digest" even for the chosen child, so identify it by its layer.
    expect(JSON.parse(arm.stdout)).toMatchObject({ Architecture: "arm64", Layers: [pushed.images[1]?.layers[0]?.digest] })
  })

  it("logs each request with method, path and status, and counts them", async () => {
    await upstream.registry.clearAccessLog()
    const manifestUrl = `${upstream.url}/v2/library/alpine/manifests/3.19`
    const accept = "application/vnd.oci.image.manifest.v1+json"

    const challenge = await fetch(manifestUrl, { method: "HEAD", headers: { accept } })
    expect(challenge.status).toBe(401)
    expect(challenge.headers.get("www-authenticate")).toBe(
      `Bearer realm="${upstream.tokenServer.realm}",service="registry.test",scope="repository:library/alpine:pull"`
    )
    const authorization = `Bearer ${await pullToken("library/alpine")}`
    const head = await fetch(manifestUrl, { method: "HEAD", headers: { accept, authorization } })
    expect(head.status).toBe(200)
    expect(head.headers.get("docker-content-digest")).toBe(alpine.manifest.digest)
    const get = await fetch(manifestUrl, { headers: { accept, authorization } })
    expect(await get.text()).toBe(alpine.manifest.json)
    const layer = alpine.layers[0]
    if (layer === undefined) throw new Error("the alpine image was built without a layer")
    const blob = await fetch(`${upstream.url}/v2/library/alpine/blobs/${layer.digest}`, { headers: { authorization } })
    expect(Buffer.from(await blob.arrayBuffer()).length).toBe(layer.size)

    const log = await upstream.registry.accessLog()
    expect(log.map((entry) => [entry.method, entry.path, entry.status])).toEqual([
      ["HEAD", "/v2/library/alpine/manifests/3.19", 401],
      ["HEAD", "/v2/library/alpine/manifests/3.19", 200],
      ["GET", "/v2/library/alpine/manifests/3.19", 200],
      ["GET", `/v2/library/alpine/blobs/${layer.digest}`, 200]
    ])
    expect(await upstream.registry.countManifestHeads("library/alpine", "3.19")).toBe(1)
    expect(await upstream.registry.countRequests({ method: "HEAD", kind: "manifest", repository: "library/alpine" })).toBe(2)
    expect(await upstream.registry.countManifestGets("library/alpine")).toBe(1)
    expect(await upstream.registry.countBlobGets(layer.digest)).toBe(1)
    expect(await upstream.registry.countBlobGets(layer.digest, "library/other")).toBe(0)
  })

  it("fails a fresh anonymous pull while the token server is down, and recovers", async () => {
    await upstream.tokenServer.stop()
    const down = await inspect(ref("library/alpine", "3.19"))
    expect(down.code).not.toBe(0)
    expect(down.stderr).toMatch(/connection refused/i)

    await upstream.tokenServer.start()
    const served = upstream.tokenServer.requestCount()
    const up = await inspect(ref("library/alpine", "3.19"))
    expect(up.code).toBe(0)
    expect(upstream.tokenServer.requestCount()).toBeGreaterThan(served)
  })

  it("stops and restarts the registry on the same port with the same storage", async () => {
    await upstream.registry.stop()
    await expect(fetch(`${upstream.url}/v2/`)).rejects.toThrow()
    const down = await inspect(ref("library/alpine", "3.19"))
    expect(down.code).not.toBe(0)

    await upstream.registry.start()
    const up = await inspect(ref("library/alpine", "3.19"))
    expect(up.stderr).toBe("")
    expect(inspectedDigest(up.stdout)).toBe(alpine.manifest.digest)
    // The log spans both runs, so counts before an outage are not lost.
    expect(await upstream.registry.countManifestGets("library/alpine", "3.19")).toBeGreaterThanOrEqual(2)
  })

  it("moves a tag to a different image", async () => {
    const first = await upstream.images.singleArch("library/busybox", "latest")
    const second = await upstream.images.retag("library/busybox", "latest")
    expect(second.manifest.digest).not.toBe(first.manifest.digest)
    const result = await inspect(ref("library/busybox", "latest"))
    expect(inspectedDigest(result.stdout)).toBe(second.manifest.digest)
  })

  it("builds a layer of the requested size from incompressible bytes", async () => {
    const size = 8 * 1024 * 1024
    const image = await upstream.images.largeLayer("big/blob", "8m", size)
    const layer = image.layers[0]
    if (layer === undefined) throw new Error("largeLayer built no layer")
    // An uncompressed tar: one directory header, one file header, the data (a multiple of 512), two end blocks.
    expect(layer.mediaType).toBe("application/vnd.oci.image.layer.v1.tar")
    expect(layer.uncompressedSize).toBe(size + 4 * 512)

    const authorization = `Bearer ${await pullToken("big/blob")}`
    const blob = Buffer.from(await (await fetch(`${upstream.url}/v2/big/blob/blobs/${layer.digest}`, { headers: { authorization } })).arrayBuffer())
    expect(blob.length).toBe(layer.size)
    expect(`sha256:${createHash("sha256").update(blob).digest("hex")}`).toBe(layer.digest)

    const gzipped = await upstream.images.largeLayer("big/gzip", "8m", size, { compression: { kind: "gzip", level: 1 } })
    // Random data does not compress: gzip can only add its framing.
    expect(gzipped.layers[0]?.size).toBeGreaterThan(size)
  })
})
