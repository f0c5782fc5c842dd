import { createHash } from "node:crypto"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { freshDatabase, TestDatabaseUrl } from "../contract/postgresTestDatabase.js"
import { cli, json, startServer, tempDir } from "../support/processes.js"
import { startUpstream } from "../support/upstream/fixture.js"

const database = Layer.scoped(TestDatabaseUrl, freshDatabase)

/**
 * The production `serve` (Postgres, undici to a real upstream, blobs on disk) killed with SIGKILL in the
 * middle of a download: after a restart no partial blob is served, every hash chain is intact, replayed
 * read models equal the live ones, and the blob pulls whole.
 */
layer(database, { timeout: "600 seconds", excludeTestServices: true })("kill -9 and restart", (it) => {
  it.scoped("leaves nothing half-written", () =>
    Effect.gen(function*() {
      const upstream = yield* Effect.acquireRelease(Effect.promise(() => startUpstream()), (u) => Effect.promise(() => u.stopAll()))
      const image = yield* Effect.promise(() => upstream.images.largeLayer("library/big", "1", 96 * 1024 * 1024))
      const layerBlob = image.layers[0]
      if (layerBlob === undefined) throw new Error("the fixture built no layer")
      const dataDir = yield* Effect.promise(() => tempDir("dp-kill-"))
      const env = {
        DATABASE_URL: yield* TestDatabaseUrl,
        DATA_DIR: dataDir,
        UPSTREAM_URL: upstream.url,
        EXTERNAL_URL: "http://registry.test:5000",
        INITIAL_ROOT_PASSWORD: "root-password"
      }
      const admin = (...args: Array<string>) => Effect.promise(() => cli(["admin", ...args], env)).pipe(Effect.map(json))
      const first = yield* Effect.promise(() => startServer(env))
      yield* admin("create-user", "--username", "alice", "--email", "a@example.com", "--password", "alice-password")
      yield* admin("create-group", "--path", "team", "--owner", "alice")
      const url = (server: { url: string }) => `${server.url}/v2/team/dependency_proxy/containers/big/blobs/${layerBlob.digest}`
      const bearer = (server: { url: string }) =>
        Effect.promise(async () => {
          const query = new URLSearchParams({ service: "dependency_proxy", scope: "repository:team/dependency_proxy/containers/big:pull" })
          const response = await fetch(`${server.url}/jwt/auth?${query}`, { headers: { authorization: `Basic ${Buffer.from("alice:alice-password").toString("base64")}` } })
          return { authorization: `Bearer ${((await response.json()) as { token: string }).token}` }
        })

      // Start the download, and kill the server once some bytes have flowed (appends are happening too).
      const headers = yield* bearer(first)
      const received = yield* Effect.promise(async () => {
        const response = await fetch(url(first), { headers })
        const reader = response.body?.getReader()
        let bytes = 0
        try {
          while (bytes < 8 * 1024 * 1024) {
            const next = await reader?.read()
            if (next === undefined || next.done) break
            bytes += next.value.length
          }
          first.process.kill("SIGKILL")
          while (true) {
            const next = await reader?.read()
            if (next === undefined || next.done) break
            bytes += next.value.length
          }
        } catch {
          // The connection breaks when the process dies: that is the point of the test.
        }
        return bytes
      })
      expect(received).toBeLessThan(layerBlob.size)
      const hex = layerBlob.digest.slice("sha256:".length)
      const stored = yield* Effect.promise(() => readdir(join(dataDir, "blobs", "sha256", hex.slice(0, 2))).catch(() => []))
      expect(stored).not.toContain(hex)

      const verify = yield* Effect.promise(() => cli(["audit", "verify"], env))
      expect(verify.code).toBe(0)
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, chainBreak: null, projectionDifference: null })

      const second = yield* Effect.acquireRelease(Effect.promise(() => startServer(env)), (s) => Effect.promise(() => s.stop()))
      const headersAgain = yield* bearer(second)
      const again = yield* Effect.promise(async () => {
        const response = await fetch(url(second), { headers: headersAgain })
        expect(response.status).toBe(200)
        return `sha256:${createHash("sha256").update(new Uint8Array(await response.arrayBuffer())).digest("hex")}`
      })
      expect(again).toBe(layerBlob.digest)
    }))
})
