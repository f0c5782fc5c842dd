import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createGroup } from "../../src/application/useCases/groups.js"
import { createUser } from "../../src/application/useCases/users.js"
import { routeLabel } from "../../src/adapters/http/metrics.js"
import { proxyHarness } from "../support/proxyApp.js"
import { scopeFor } from "../support/registryApp.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import type { PushedImage } from "../support/upstream/images.js"

/** Reads one sample from Prometheus text: the value of `name{labels}` (labels in any order), 0 if absent. */
const sample = (text: string, name: string, labels: Record<string, string>): number => {
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null || match[1] !== name) continue
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3])
  }
  return 0
}

describe("/metrics after a known sequence of pulls", () => {
  let upstream: Upstream
  let proxy: Awaited<ReturnType<typeof proxyHarness>>
  let image: PushedImage

  beforeAll(async () => {
    upstream = await startUpstream()
    image = await upstream.images.singleArch("library/alpine", "3.19")
    proxy = await proxyHarness(upstream.url)
    const alice = await proxy.run(createUser({ username: "alice", email: "a@x.io", name: "A", password: "alice-password", admin: false }))
    await proxy.run(createGroup({ path: "team", name: "Team", parentId: null, ownerUserId: alice }))
  }, 120_000)
  afterAll(async () => {
    await proxy?.close()
    await upstream?.stopAll()
  })

  const pullAll = async () => {
    const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor("team", "alpine") })
    const auth = await fetch(`http://${proxy.host}/jwt/auth?${query}`, { headers: { authorization: `Basic ${Buffer.from("alice:alice-password").toString("base64")}` } })
    const { token } = (await auth.json()) as { token: string }
    const headers = { authorization: `Bearer ${token}`, accept: image.manifest.mediaType }
    const base = `http://${proxy.host}/v2/team/dependency_proxy/containers/alpine`
    expect((await fetch(`${base}/manifests/3.19`, { headers })).status).toBe(200)
    for (const digest of [image.config.digest, ...image.layers.map((l) => l.digest)]) {
      const blob = await fetch(`${base}/blobs/${digest}`, { headers })
      expect(blob.status).toBe(200)
      await blob.arrayBuffer()
    }
  }
  const scrape = async () => (await fetch(`http://${proxy.host}/metrics`)).text()

  it("counts misses then hits, and exactly the upstream requests the pulls needed", async () => {
    const blobs = 1 + image.layers.length
    await pullAll()
    const first = await scrape()
    await pullAll()
    const second = await scrape()
    const delta = (name: string, labels: Record<string, string>) => sample(second, name, labels) - sample(first, name, labels)

    expect(sample(first, "dependency_proxy_cache_lookups_total", { kind: "manifest", result: "miss" })).toBe(1)
    expect(sample(first, "dependency_proxy_cache_lookups_total", { kind: "blob", result: "miss" })).toBe(blobs)
    expect(sample(first, "dependency_proxy_upstream_requests_total", { method: "GET", kind: "manifest", outcome: "ok" })).toBe(1)
    expect(sample(first, "dependency_proxy_upstream_requests_total", { method: "GET", kind: "blob", outcome: "ok" })).toBe(blobs)
    expect(sample(first, "dependency_proxy_upstream_bytes_fetched_total", {})).toBe(
      image.config.size + image.layers.reduce((n, l) => n + l.size, 0)
    )

    expect(delta("dependency_proxy_cache_lookups_total", { kind: "manifest", result: "hit" })).toBe(1)
    expect(delta("dependency_proxy_cache_lookups_total", { kind: "blob", result: "hit" })).toBe(blobs)
    expect(delta("dependency_proxy_upstream_requests_total", { method: "HEAD", kind: "manifest", outcome: "ok" })).toBe(1)
    expect(delta("dependency_proxy_upstream_requests_total", { method: "GET", kind: "blob", outcome: "ok" })).toBe(0)
    // Fastify counts a request when the response has finished, which may be a moment after the client has it.
    let total = 0
    for (let i = 0; i < 50 && total !== 2 * blobs; i++) {
      total = sample(await scrape(), "dependency_proxy_http_requests_total", { route: "registry_blob", method: "GET", status: "2xx" })
      if (total !== 2 * blobs) await new Promise((r) => setTimeout(r, 50))
    }
    expect(total).toBe(2 * blobs)
    expect(sample(second, "dependency_proxy_downloads_in_flight", {})).toBe(0)
    // Label sets stay bounded: no repository, digest or user names in any label.
    expect(second).not.toContain("alpine")
    expect(second).not.toContain(image.manifest.digest)
  }, 120_000)

  it("labels routes without their variable parts", () => {
    expect(routeLabel("/v2/a/b/dependency_proxy/containers/x/y/manifests/latest", "GET")).toBe("registry_manifest")
    expect(routeLabel("/v2/a/dependency_proxy/containers/x/blobs/sha256:00?x=1", "HEAD")).toBe("registry_blob")
    expect(routeLabel("/v2/a/dependency_proxy/containers/x/blobs/uploads/", "POST")).toBe("registry_push")
    expect(routeLabel("/jwt/auth?scope=x", "GET")).toBe("token")
    expect(routeLabel(`/-/peer/blobs/sha256:${"0".repeat(64)}/00000000-0000-4000-8000-000000000000`, "GET")).toBe("peer")
    expect(routeLabel("/-/readiness", "GET")).toBe("health")
  })
})
