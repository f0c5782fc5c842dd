import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { type BlobPull, pullBlob, replicaCluster } from "../support/replicaCluster.js"
import { startUpstream } from "../support/upstream/fixture.js"

const MiB = 1024 * 1024

const upstreamFixture = Effect.acquireRelease(Effect.promise(() => startUpstream()), (u) => Effect.promise(() => u.stopAll()))

/**
 * Three `serve` processes on one Postgres and one data directory transfer each blob from upstream once
 * between them: the replica holding the blob's lease downloads it, the others stream its growing file from
 * the shared directory. Upstream traffic is counted from the upstream registry's own access log.
 */
describe("one upstream transfer per blob across replicas", () => {
  it.scopedLive("twenty clients over three replicas pulling one uncached blob: one upstream GET, verified bytes for all", () =>
    Effect.gen(function*() {
      const upstream = yield* upstreamFixture
      const image = yield* Effect.promise(() => upstream.images.largeLayer("library/shared", "1", 48 * MiB))
      const blob = image.layers[0]
      if (blob === undefined) throw new Error("the fixture built no layer")
      const cluster = yield* replicaCluster(yield* freshDatabase, upstream)
      const replicas = [cluster.first, yield* cluster.startReplica, yield* cluster.startReplica]
      const headers = yield* Effect.forEach(replicas, (r) => cluster.bearer(r, "shared"))

      const pulls = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i % replicas.length),
        (r) => pullBlob(cluster.blobUrl(replicas[r]!, "shared", blob.digest), headers[r]!),
        { concurrency: "unbounded" }
      )

      expect(pulls.map((p) => [p.status, p.bytes, p.digest])).toEqual(Array(20).fill([200, blob.size, blob.digest]))
      expect(yield* Effect.promise(() => upstream.registry.countBlobGets(blob.digest))).toBe(1)
      expect(yield* cluster.storedSoon(blob.digest)).toBe(true)
      // Stored once, it is a cache hit on every replica: still one GET.
      for (const [r, replica] of replicas.entries()) {
        const again = yield* pullBlob(cluster.blobUrl(replica, "shared", blob.digest), headers[r]!)
        expect([again.status, again.digest]).toEqual([200, blob.digest])
      }
      expect(yield* Effect.promise(() => upstream.registry.countBlobGets(blob.digest))).toBe(1)
    }), { timeout: 300_000 })

  it.scopedLive("killing the replica that downloads a blob mid-transfer: the others take over and their clients get every byte", () =>
    Effect.gen(function*() {
      const upstream = yield* upstreamFixture
      const image = yield* Effect.promise(() => upstream.images.largeLayer("library/orphan", "1", 192 * MiB))
      const blob = image.layers[0]
      if (blob === undefined) throw new Error("the fixture built no layer")
      const cluster = yield* replicaCluster(yield* freshDatabase, upstream)
      const [doomed, b, c] = [cluster.first, yield* cluster.startReplica, yield* cluster.startReplica]
      const url = (replica: typeof doomed) => cluster.blobUrl(replica, "orphan", blob.digest)
      const [doomedHeaders, bHeaders, cHeaders] = yield* Effect.forEach([doomed, b, c], (r) => cluster.bearer(r, "orphan"))

      // The first replica starts the transfer; once its client has 8 MiB, the other replicas' clients join.
      const started = yield* Deferred.make<void>()
      const runtime = yield* Effect.runtime<never>()
      const first = yield* Effect.fork(pullBlob(url(doomed), doomedHeaders!, (n) => {
        if (n >= 8 * MiB) Effect.runSync(Deferred.succeed(started, undefined).pipe(Effect.provide(runtime)))
      }))
      yield* Deferred.await(started)
      // Once a follower has bytes from the doomed replica's file, kill that replica without a chance to clean up.
      const following = yield* Deferred.make<void>()
      const onFollowerBytes = (n: number) => {
        if (n >= MiB) Effect.runSync(Deferred.succeed(following, undefined).pipe(Effect.provide(runtime)))
      }
      const followers = yield* Effect.fork(Effect.all(
        [pullBlob(url(b), bHeaders!, onFollowerBytes), pullBlob(url(c), cHeaders!, onFollowerBytes), pullBlob(url(b), bHeaders!), pullBlob(url(c), cHeaders!)],
        { concurrency: "unbounded" }
      ))
      yield* Deferred.await(following)
      doomed.process.kill("SIGKILL")

      const cut: BlobPull = yield* first.await.pipe(Effect.flatten)
      expect(cut.bytes).toBeLessThan(blob.size)
      const completed = yield* followers.await.pipe(Effect.flatten)
      expect(completed.map((p) => [p.status, p.bytes, p.digest, p.aborted])).toEqual(Array(4).fill([200, blob.size, blob.digest, false]))
      // The dead replica's transfer and one survivor's: never one per client.
      expect(yield* Effect.promise(() => upstream.registry.countBlobGets(blob.digest))).toBe(2)
      expect(yield* cluster.storedSoon(blob.digest)).toBe(true)

      // The survivors go on serving: a new image pulls through either of them.
      const next = yield* Effect.promise(() => upstream.images.largeLayer("library/after", "1", 2 * MiB))
      const nextBlob = next.layers[0]
      if (nextBlob === undefined) throw new Error("the fixture built no layer")
      const after = yield* pullBlob(cluster.blobUrl(c, "after", nextBlob.digest), yield* cluster.bearer(c, "after"))
      expect([after.status, after.digest]).toEqual([200, nextBlob.digest])
    }), { timeout: 300_000 })
})
