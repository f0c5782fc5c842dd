import { createHash } from "node:crypto"
import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { MiB, onlyLayer } from "../support/faults/images.js"
import { discard, makeS3Client, type S3Client } from "../../src/adapters/s3/S3Client.js"
import { cli, json, type RunningServer, startServer } from "../support/processes.js"
import { freshS3Location, s3ServeEnv } from "../support/s3.js"
import { isolatedSkopeo, type Skopeo } from "../support/upstream/skopeo.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import type { PushedImage } from "../support/upstream/images.js"
import { waitUntil } from "../support/waitUntil.js"

const ROOT_PASSWORD = "root-password-redirect"
const GROUP = "team"
const JWT_LIFETIME_SECONDS = 120

/**
 * `S3_REDIRECT=true` (radosgw): a cached blob's GET is answered with a 307 to a pre-signed GET on the bucket,
 * which skopeo follows; the URL expires no later than the registry token that asked for it. Blobs still
 * downloading, and HEADs, are answered by the registry itself.
 */
describe("serve on S3: cache hits redirected to pre-signed GETs, and self-healing", () => {
  const database = Effect.runSync(Scope.make())
  let upstream: Upstream
  let server: RunningServer
  let skopeo: Skopeo
  let image: PushedImage
  let endpoint: string
  let env: Record<string, string>
  let s3: S3Client

  beforeAll(async () => {
    const location = freshS3Location("redirect")
    endpoint = location.endpoint
    s3 = makeS3Client(location, { timeoutMs: 30_000 })
    const databaseUrl = await Effect.runPromise(Scope.extend(freshDatabase, database))
    upstream = await startUpstream()
    image = await upstream.images.largeLayer("library/redirected", "1", 6 * MiB)
    env = {
      DATABASE_URL: databaseUrl,
      UPSTREAM_URL: upstream.url,
      INITIAL_ROOT_PASSWORD: ROOT_PASSWORD,
      JWT_EXPIRY: `${JWT_LIFETIME_SECONDS}s`,
      ...s3ServeEnv(location),
      S3_REDIRECT: "true"
    }
    server = await startServer(env)
    json(await cli(["admin", "create-group", "--path", GROUP], env))
    skopeo = await isolatedSkopeo(await mkdtemp(join(tmpdir(), "dp-skopeo-")))
  }, 600_000)
  afterAll(async () => {
    await server?.stop()
    await upstream?.stopAll()
    await s3?.close()
    await Effect.runPromise(Scope.close(database, Exit.void))
  }, 300_000)

  const host = () => new URL(server.url).host
  const copy = async () => {
    const dir = await mkdtemp(join(tmpdir(), "dp-redirect-pulled-"))
    const result = await skopeo.run([
      "copy", "--src-tls-verify=false", "--src-creds", `root:${ROOT_PASSWORD}`,
      `docker://${host()}/${GROUP}/dependency_proxy/containers/redirected:1`, `dir:${dir}`
    ])
    return { ...result, dir }
  }
  const token = async () => {
    const query = new URLSearchParams({ service: "dependency_proxy", scope: `repository:${GROUP}/dependency_proxy/containers/redirected:pull` })
    const response = await fetch(`${server.url}/jwt/auth?${query}`, {
      headers: { authorization: `Basic ${Buffer.from(`root:${ROOT_PASSWORD}`).toString("base64")}` }
    })
    return (await response.json()) as { token: string; expires_in: number }
  }
  const blobUrl = (digest: string) => `${server.url}/v2/${GROUP}/dependency_proxy/containers/redirected/blobs/${digest}`
  /** Blob GETs answered with a redirect so far, from `/metrics`. */
  const redirectedBlobGets = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text()
    const m = /^dependency_proxy_http_requests_total\{route="registry_blob",method="GET",status="3xx"\} (\d+)$/m.exec(text)
    return Number(m?.[1] ?? 0)
  }

  it("skopeo pulls through (proxied), then again from the bucket by redirect, every digest verified, one upstream GET", async () => {
    const layer = onlyLayer(image)
    const first = await copy()
    expect(first.code, first.stderr).toBe(0)
    expect(await redirectedBlobGets()).toBe(0)
    const second = await copy()
    expect(second.code, second.stderr).toBe(0)
    const bytes = await readFile(join(second.dir, layer.digest.slice("sha256:".length)))
    expect(`sha256:${createHash("sha256").update(bytes).digest("hex")}`).toBe(layer.digest)
    expect(await upstream.registry.countBlobGets(layer.digest)).toBe(1)
    // The second pull's blob GETs were redirected (the config and the layer), not proxied.
    expect(await redirectedBlobGets()).toBe(2)
  }, 300_000)

  it("the redirect points at the bucket, expires no later than the token, and needs no credentials of ours", async () => {
    const layer = onlyLayer(image)
    const { token: bearer, expires_in } = await token()
    const before = Date.now()
    const answer = await fetch(blobUrl(layer.digest), { headers: { authorization: `Bearer ${bearer}` }, redirect: "manual" })
    expect(answer.status).toBe(307)
    expect(answer.headers.get("docker-content-digest")).toBe(layer.digest)
    const location = new URL(answer.headers.get("location") ?? "")
    expect(location.origin).toBe(new URL(endpoint).origin)
    const expires = Number(location.searchParams.get("X-Amz-Expires"))
    expect(expires).toBeGreaterThan(0)
    expect(expires).toBeLessThanOrEqual(Math.min(expires_in, JWT_LIFETIME_SECONDS))
    const signedAt = location.searchParams.get("X-Amz-Date") ?? ""
    const signedMs = Date.parse(signedAt.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"))
    expect(Math.abs(signedMs - before)).toBeLessThan(5_000)
    const direct = await fetch(location)
    expect(direct.status).toBe(200)
    expect(`sha256:${createHash("sha256").update(Buffer.from(await direct.arrayBuffer())).digest("hex")}`).toBe(layer.digest)

    // HEAD is answered here, with the size; a tampered URL is refused by S3.
    const head = await fetch(blobUrl(layer.digest), { method: "HEAD", headers: { authorization: `Bearer ${bearer}` }, redirect: "manual" })
    expect([head.status, head.headers.get("content-length")]).toEqual([200, String(layer.size)])
    const tampered = new URL(location)
    tampered.searchParams.set("X-Amz-Expires", String(expires + 3600))
    expect((await fetch(tampered)).status).toBe(403)
  }, 120_000)

  it("self-heals on S3: an object deleted by hand is fetched again; one replaced by hand is found by fsck and repaired", async () => {
    const layer = onlyLayer(image)
    const key = `blobs/sha256/${layer.digest.slice("sha256:".length)}`
    const { token: bearer } = await token()
    const getBlob = () => fetch(blobUrl(layer.digest), { headers: { authorization: `Bearer ${bearer}` } })
    const digestOf = async (response: Response) => `sha256:${createHash("sha256").update(Buffer.from(await response.arrayBuffer())).digest("hex")}`
    const gets = await upstream.registry.countBlobGets(layer.digest)

    await discard(await s3.send({ operation: "DeleteObject", method: "DELETE", key }, [204]))
    const healed = await getBlob()
    expect([healed.status, await digestOf(healed)]).toEqual([200, layer.digest])
    expect(await upstream.registry.countBlobGets(layer.digest)).toBe(gets + 1)

    // Bytes changed behind the store's back (same size): fsck finds it, --repair forgets it, the next pull heals.
    await waitUntil(async () => (await s3.send({ operation: "HeadObject", method: "HEAD", key }, [200, 404]).then(async (r) => (await discard(r), r.status))) === 200, 30_000, 100, "the object stored again")
    await discard(await s3.send({ operation: "PutObject", method: "PUT", key, body: Buffer.alloc(layer.size, 1) }, [200]))
    const found = await cli(["fsck"], env)
    expect(found.code, found.stdout + found.stderr).toBe(1)
    expect(found.stdout).toContain(layer.digest)
    const repaired = await cli(["fsck", "--repair"], env)
    expect(repaired.code, repaired.stdout + repaired.stderr).toBe(0)
    const again = await getBlob()
    expect([again.status, await digestOf(again)]).toEqual([200, layer.digest])
    expect(await upstream.registry.countBlobGets(layer.digest)).toBe(gets + 2)
    await waitUntil(async () => (await cli(["fsck"], env)).code === 0, 30_000, 200, "fsck clean again")
  }, 300_000)
})
