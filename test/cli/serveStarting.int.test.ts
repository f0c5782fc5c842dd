import { createServer, type Socket } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { launchServer, type RunningServer, tempDir } from "../support/processes.js"
import { freePort } from "../support/upstream/tools.js"
import { waitUntil } from "../support/waitUntil.js"

/** A "database" that accepts connections and never says a word: `serve` stays in its start-up for good. */
const silentDatabase = async () => {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  const port = await freePort()
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done))
  return {
    url: `postgres://postgres@127.0.0.1:${port}/never`,
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise((done) => server.close(done))
    }
  }
}

const json = async (url: string) => {
  const response = await fetch(url)
  return { status: response.status, headers: response.headers, body: await response.json() }
}

describe("serve while its database is not up yet", () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  it("answers /-/health at once, says it is starting, and asks registry clients to retry", async () => {
    const database = await silentDatabase()
    cleanups.push(database.close)
    const server: RunningServer = await launchServer({ DATABASE_URL: database.url, DATA_DIR: await tempDir("dp-starting-") })
    cleanups.push(() => server.stop())

    await waitUntil(() => fetch(`${server.url}/-/health`).then((r) => r.status === 200, () => false), 10_000, 50, "/-/health answering")
    expect(await json(`${server.url}/-/readiness`)).toMatchObject({ status: 503, body: { status: "starting" } })
    const manifest = await json(`${server.url}/v2/platform/dependency_proxy/containers/alpine/manifests/3.19`)
    expect(manifest).toMatchObject({ status: 503, body: { errors: [{ code: "UNAVAILABLE" }] } })
    expect(manifest.headers.get("retry-after")).toBe("1")
    expect(server.process.exitCode).toBeNull()
  })
})
