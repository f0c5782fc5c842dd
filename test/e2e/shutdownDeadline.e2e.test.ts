import { get } from "node:http"
import { existsSync } from "node:fs"
import { rm } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { explain, jsonString, pullClient, receive } from "../support/faults/registryClient.js"
import { type RunningServer, startServer, tempDir } from "../support/processes.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"

const ROOT_PASSWORD = "root-password-Sd4q"
const MiB = 1024 * 1024

/**
 * SIGTERM to `serve` while a client holds a download open and reads no more: the response can never finish, so
 * a graceful shutdown alone would wait for good. SHUTDOWN_TIMEOUT bounds it: the connection is cut off, the
 * database closed, the process exits 1, and its log says the shutdown was cut short and what was still open.
 */
describe("a shutdown that cannot finish", () => {
  let upstream: Upstream
  let server: RunningServer | undefined
  let dataDir: string | undefined
  beforeAll(async () => {
    upstream = await startUpstream()
  }, 120_000)
  afterAll(async () => {
    server?.process.kill("SIGKILL")
    await upstream?.stopAll()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  it("exits 1 after SHUTDOWN_TIMEOUT when a client stops reading a blob, and logs why", async () => {
    const image = await upstream.images.largeLayer("library/big", "1", 48 * MiB)
    const layer = image.layers[0]
    if (layer === undefined) throw new Error("the fixture built no layer")
    dataDir = await tempDir("dp-shutdown-")
    const running = await startServer({ DATA_DIR: dataDir, UPSTREAM_URL: upstream.url, INITIAL_ROOT_PASSWORD: ROOT_PASSWORD, SHUTDOWN_TIMEOUT: "2s" })
    server = running

    const grant = await receive(`${running.url}/oauth/token`, { method: "POST", body: new URLSearchParams({ grant_type: "password", username: "root", password: ROOT_PASSWORD }) })
    expect(grant.status, explain(grant)).toBe(200)
    const created = await receive(`${running.url}/api/v4/groups`, {
      method: "POST",
      headers: { authorization: `Bearer ${jsonString(grant, "access_token") ?? ""}` },
      body: new URLSearchParams({ name: "team", path: "team" })
    })
    expect(created.status, explain(created)).toBe(201)
    const root = pullClient(running.url, "root", ROOT_PASSWORD)
    const signedIn = await root.auth("team", "big")
    expect(signedIn.status, explain(signedIn)).toBe(200)

    // The first bytes arrive, then the client stops reading and keeps the connection open.
    const firstBytes = await new Promise<number>((done, fail) => {
      const request = get(`${running.url}/v2/team/dependency_proxy/containers/big/blobs/${layer.digest}`, {
        headers: { authorization: `Bearer ${root.issuedTokens().at(-1) ?? ""}` }
      }, (response) => {
        if (response.statusCode !== 200) fail(new Error(`the blob answered ${String(response.statusCode)}`))
        response.once("data", (chunk: Buffer) => {
          response.pause()
          done(chunk.length)
        })
      })
      request.on("error", fail)
    })
    expect(firstBytes).toBeGreaterThan(0)

    const code = await Promise.race([
      running.stop(),
      new Promise<string>((done) => setTimeout(() => done("still running 45 s after SIGTERM"), 45_000))
    ])
    expect(code).toBe(1)
    const lines = running.output().split("\n").filter((line) => line.includes("SHUTDOWN_TIMEOUT"))
    expect(lines.length, running.output().slice(-2000)).toBe(1)
    const logged: unknown = JSON.parse(lines[0] ?? "{}")
    expect(logged).toMatchObject({ level: 50, timeoutSeconds: 2, stillOpen: { TCPSocketWrap: expect.any(Number) } })
    // The client was cut off, so the shutdown went on to close the database: its lock file is gone, and the
    // next start on the same data directory is not refused.
    expect(running.output()).not.toContain("did not close after the connections were cut off")
    expect(existsSync(join(dataDir, "pglite.lock"))).toBe(false)
  }, 120_000)
})
