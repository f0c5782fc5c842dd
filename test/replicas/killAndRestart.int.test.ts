import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { cli } from "../support/processes.js"
import { pullBlob, replicaCluster } from "../support/replicaCluster.js"
import { startUpstream } from "../support/upstream/fixture.js"

const MiB = 1024 * 1024

/**
 * The production `serve` (Postgres, undici to a real upstream, blobs on disk) killed with SIGKILL in the
 * middle of a download: after a restart no partial blob is served, every hash chain is intact, replayed
 * read models equal the live ones, and the blob pulls whole.
 */
describe("kill -9 and restart", () => {
  it.scopedLive("leaves nothing half-written", () =>
    Effect.gen(function*() {
      const upstream = yield* Effect.acquireRelease(Effect.promise(() => startUpstream()), (u) => Effect.promise(() => u.stopAll()))
      const image = yield* Effect.promise(() => upstream.images.largeLayer("library/big", "1", 96 * MiB))
      const blob = image.layers[0]
      if (blob === undefined) throw new Error("the fixture built no layer")
      const cluster = yield* replicaCluster(yield* freshDatabase, upstream)
      const first = cluster.first

      // Start the download, and kill the server once some bytes have flowed (appends are happening too).
      const midway = yield* Deferred.make<void>()
      const runtime = yield* Effect.runtime<never>()
      const pull = yield* Effect.fork(pullBlob(cluster.blobUrl(first, "big", blob.digest), yield* cluster.bearer(first, "big"), (n) => {
        if (n >= 8 * MiB) Effect.runSync(Deferred.succeed(midway, undefined).pipe(Effect.provide(runtime)))
      }))
      yield* Deferred.await(midway)
      first.process.kill("SIGKILL")
      const cut = yield* pull.await.pipe(Effect.flatten)
      expect(cut.bytes).toBeLessThan(blob.size)
      expect(yield* cluster.stored(blob.digest)).toBe(false)

      const verify = yield* Effect.promise(() => cli(["audit", "verify"], cluster.env))
      expect(verify.code).toBe(0)
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, chainBreak: null, projectionDifference: null })

      const second = yield* cluster.startReplica
      const again = yield* pullBlob(cluster.blobUrl(second, "big", blob.digest), yield* cluster.bearer(second, "big"))
      expect([again.status, again.bytes, again.digest]).toEqual([200, blob.size, blob.digest])
    }), { timeout: 300_000 })
})
