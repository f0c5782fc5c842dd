import { get } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Schedule } from "effect"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { pullBlob, replicaCluster } from "../support/replicaCluster.js"
import { startUpstream } from "../support/upstream/fixture.js"

const MiB = 1024 * 1024

/**
 * SIGTERM to the production `serve` while it streams a large blob it is still downloading: it stops taking
 * new connections, but the client gets every byte, the blob is kept, and the process exits 0.
 */
describe("SIGTERM during a download", () => {
  it.scopedLive("the client finishes, the blob is cached, and a restarted server serves it without upstream", () =>
    Effect.gen(function*() {
      const upstream = yield* Effect.acquireRelease(Effect.promise(() => startUpstream()), (u) => Effect.promise(() => u.stopAll()))
      const image = yield* Effect.promise(() => upstream.images.largeLayer("library/big", "1", 96 * MiB))
      const blob = image.layers[0]
      if (blob === undefined) throw new Error("the fixture built no layer")
      const cluster = yield* replicaCluster(yield* freshDatabase, upstream)
      const server = cluster.first
      const headers = yield* cluster.bearer(server, "big")

      const midway = yield* Deferred.make<void>()
      const runtime = yield* Effect.runtime<never>()
      const pull = yield* Effect.fork(pullBlob(cluster.blobUrl(server, "big", blob.digest), headers, (n) => {
        if (n >= 8 * MiB) Effect.runSync(Deferred.succeed(midway, undefined).pipe(Effect.provide(runtime)))
      }))
      yield* Deferred.await(midway)
      const exited = yield* Effect.fork(Effect.promise(() => server.stop()))

      // Stopped accepting: a new connection is refused (asked until it is, for at most ten seconds).
      // On a new connection (agent: false), not one kept alive from before.
      const health = Effect.promise(() =>
        new Promise<string>((done) => {
          get(`${server.url}/-/health`, { agent: false }, (r) => {
            r.resume()
            done(`answered ${r.statusCode}`)
          }).on("error", () => done("refused"))
        })
      )
      const refused = yield* health.pipe(
        Effect.repeat({ until: (outcome) => outcome === "refused", schedule: Schedule.intersect(Schedule.spaced("100 millis"), Schedule.recurs(100)) }),
        Effect.zipRight(health)
      )
      expect(refused).toBe("refused")
      const [code, received] = yield* Effect.all([exited.await.pipe(Effect.flatten), pull.await.pipe(Effect.flatten)], { concurrency: "unbounded" })
      expect([received.status, received.bytes, received.digest, received.aborted]).toEqual([200, blob.size, blob.digest, false])
      expect(code).toBe(0)
      expect(yield* cluster.stored(blob.digest)).toBe(true)

      const restarted = yield* cluster.startReplica
      const again = yield* pullBlob(cluster.blobUrl(restarted, "big", blob.digest), yield* cluster.bearer(restarted, "big"))
      expect([again.status, again.digest]).toEqual([200, blob.digest])
      expect(yield* Effect.promise(() => upstream.registry.countBlobGets(blob.digest))).toBe(1)
    }), { timeout: 300_000 })
})
