import { createHash } from "node:crypto"
import { stat } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createGroup } from "../../src/application/useCases/groups.js"
import { createUser } from "../../src/application/useCases/users.js"
import { proxyHarness } from "../support/proxyApp.js"
import { scopeFor } from "../support/registryApp.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"

/**
 * Shutdown lets in-flight downloads finish: closing the server (what `serve` does on SIGTERM) while a client
 * streams an uncached blob still gives the client every byte, verified, and leaves the blob cached.
 */
describe("graceful shutdown", () => {
  let upstream: Upstream
  beforeAll(async () => {
    upstream = await startUpstream()
  }, 60_000)
  afterAll(() => upstream?.stopAll())

  it("finishes a download in progress when the server is closed, and keeps the blob", async () => {
    const image = await upstream.images.largeLayer("library/big", "1", 64 * 1024 * 1024)
    const layer = image.layers[0]
    if (layer === undefined) throw new Error("the fixture built no layer")
    const proxy = await proxyHarness(upstream.url)
    const alice = await proxy.run(createUser({ username: "alice", email: "a@x.io", name: "A", password: "alice-password", admin: false }))
    await proxy.run(createGroup({ path: "team", name: "Team", parentId: null, ownerUserId: alice }))
    const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor("team", "big") })
    const auth = await fetch(`http://${proxy.host}/jwt/auth?${query}`, { headers: { authorization: `Basic ${Buffer.from("alice:alice-password").toString("base64")}` } })
    const { token } = (await auth.json()) as { token: string }

    const response = await fetch(`http://${proxy.host}/v2/team/dependency_proxy/containers/big/blobs/${layer.digest}`, {
      headers: { authorization: `Bearer ${token}` }
    })
    expect(response.status).toBe(200)
    const reader = response.body?.getReader()
    if (reader === undefined) throw new Error("no body")
    const hash = createHash("sha256")
    const first = await reader.read()
    if (first.value !== undefined) hash.update(first.value)

    const closing = proxy.close()
    let received = first.value?.length ?? 0
    while (true) {
      const next = await reader.read()
      if (next.done) break
      hash.update(next.value)
      received += next.value.length
    }
    await closing
    expect(received).toBe(layer.size)
    expect(`sha256:${hash.digest("hex")}`).toBe(layer.digest)
    const hex = layer.digest.slice("sha256:".length)
    expect((await stat(join(proxy.blobsDir, "sha256", hex.slice(0, 2), hex))).size).toBe(layer.size)
  }, 120_000)
})
