import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Deferred, Effect, type Scope } from "effect"
import { randomUUID } from "node:crypto"
import { startThrottleProxy } from "../support/throttleProxy.js"
import { peerAuthorization, peerKey } from "../../src/adapters/peers/peerAuth.js"
import { readdir } from "node:fs/promises"
import { join, relative } from "node:path"
import { discard, makeS3Client, type S3Location } from "../../src/adapters/s3/S3Client.js"
import { pgLayer } from "../../src/adapters/sql/PostgresClient.js"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import type { RunningServer } from "../support/processes.js"
import { pullBlob, replicaCluster } from "../support/replicaCluster.js"
import { freshS3Location, s3ServeEnv } from "../support/s3.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import { waitUntil } from "../support/waitUntil.js"

const MiB = 1024 * 1024

const upstreamFixture = Effect.acquireRelease(Effect.promise(() => startUpstream()), (u) => Effect.promise(() => u.stopAll()))

/** Whether the bucket holds the blob's object (HEAD, signed). */
const inBucket = (location: S3Location, digest: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => makeS3Client(location, { timeoutMs: 30_000 })),
    (s3) =>
      Effect.promise(async () => {
        const head = await s3.send({ operation: "HeadObject", method: "HEAD", key: `blobs/sha256/${digest.slice("sha256:".length)}` }, [200, 404])
        await discard(head)
        return head.status === 200
      }),
    (s3) => Effect.promise(() => s3.close())
  )

/** Waits, with a deadline, for the blob's object to be in the bucket. */
const storedSoon = (location: S3Location, digest: string) =>
  Effect.promise(() => waitUntil(() => Effect.runPromise(inBucket(location, digest)), 30_000, 100, `${digest} in the bucket`))

/** Every regular file under `dir/sub`, relative to `dir`. */
const filesUnder = (dir: string, sub: string) =>
  Effect.promise(async () =>
    (await readdir(join(dir, sub), { recursive: true, withFileTypes: true }).catch(() => []))
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)))
  )

/**
 * Two replicas on S3 (each with a DATA_DIR of its own) and one uncached blob of `bytes` under `library/<image>`,
 * upstream reached directly or through `link` (a throttled one).
 */
const twoReplicasAndABlob = (prefix: string, image: string, bytes: number, link?: (upstream: Upstream) => Effect.Effect<{ readonly url: string }, never, Scope.Scope>) =>
  Effect.gen(function*() {
    const upstream = yield* upstreamFixture
    const location = freshS3Location(prefix)
    const blob = (yield* Effect.promise(() => upstream.images.largeLayer(`library/${image}`, "1", bytes))).layers[0]
    if (blob === undefined) throw new Error("the fixture built no layer")
    const cluster = yield* replicaCluster(yield* freshDatabase, link === undefined ? upstream : yield* link(upstream), s3ServeEnv(location), true)
    const replicas = [cluster.first, yield* cluster.startReplica] as const
    const headers = yield* Effect.forEach(replicas, (r) => cluster.bearer(r, image))
    const url = (replica: RunningServer) => cluster.blobUrl(replica, image, blob.digest)
    return { upstream, location, blob, cluster, replicas, headers, url }
  })

/** Forks a pull, returning once its client has `atBytes` (`onBytes` sees every count, to act mid-body). */
const pullUnderWay = <A>(pull: (onBytes: (n: number) => void) => Effect.Effect<A>, atBytes: number) =>
  Effect.gen(function*() {
    const started = yield* Deferred.make<void>()
    const runtime = yield* Effect.runtime<never>()
    const fiber = yield* Effect.fork(pull((n) => {
      if (n >= atBytes) Effect.runSync(Deferred.succeed(started, undefined).pipe(Effect.provide(runtime)))
    }))
    yield* Deferred.await(started)
    return fiber
  })

/** A replica's `/metrics` text, and one sample of it (0 when absent). */
const metricsOf = (replica: RunningServer) => Effect.promise(() => fetch(`${replica.url}/metrics`).then((r) => r.text()))
const figure = (text: string, line: RegExp) => Number(line.exec(text)?.[1] ?? 0)

/** Removes the announcement of `digest`'s transfer in progress (which must be there), as if never made. */
const unannounce = (env: Readonly<Record<string, string>>, digest: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`delete from blob_transfers where digest = ${digest} returning digest`).pipe(
    Effect.provide(pgLayer(env["DATABASE_URL"] ?? "")),
    Effect.orDie,
    Effect.flatMap((removed) => Effect.sync(() => expect(removed).toHaveLength(1)))
  )

/** One link to upstream at 8 MiB/s: a holder's transfer of 32 MiB takes about 4 s. */
const slowLink = (upstream: Upstream) =>
  Effect.acquireRelease(
    Effect.promise(() => startThrottleProxy({ host: "127.0.0.1", port: upstream.registry.port }, 8 * MiB)),
    (l) => Effect.promise(() => l.close())
  )

/**
 * The holder's client starts the transfer; at 2 MiB `meanwhile` runs, then the peer's client asks. Both must get
 * the whole verified blob; says when the peer's client had its first byte and the holder's its last.
 */
const holderThenPeer = (world: Effect.Effect.Success<ReturnType<typeof twoReplicasAndABlob>>, meanwhile: Effect.Effect<void>) =>
  Effect.gen(function*() {
    const { blob, replicas: [holder, peer], headers: [holderHeaders, peerHeaders], url } = world
    const holderPull = yield* pullUnderWay((onBytes) => pullBlob(url(holder), holderHeaders!, onBytes).pipe(Effect.zip(Effect.sync(() => performance.now()))), 2 * MiB)
    yield* meanwhile
    let peerFirstByte = Infinity
    const peerPull = yield* pullBlob(url(peer), peerHeaders!, () => {
      if (peerFirstByte === Infinity) peerFirstByte = performance.now()
    })
    const [holderResult, holderDone] = yield* holderPull.await.pipe(Effect.flatten)
    expect([holderResult.status, holderResult.bytes, holderResult.digest]).toEqual([200, blob.size, blob.digest])
    expect([peerPull.status, peerPull.bytes, peerPull.digest, peerPull.aborted]).toEqual([200, blob.size, blob.digest, false])
    return { peerFirstByte, holderDone }
  })

/**
 * Replicas on one Postgres database with blobs in one S3 bucket (radosgw): blob bytes never touch DATA_DIR,
 * one upstream transfer per blob holds across replicas through the Postgres lease, and what one replica
 * cached the other serves by digest without asking upstream.
 */
describe("replicas with blobs in S3", () => {
  it.scopedLive("clients on two replicas pulling one uncached blob: one upstream GET, verified bytes, the object in the bucket, no blob file on disk", () =>
    Effect.gen(function*() {
      const upstream = yield* upstreamFixture
      const location = freshS3Location("replicas")
      const first = yield* Effect.promise(() => upstream.images.largeLayer("library/s3shared", "1", 48 * MiB))
      const second = yield* Effect.promise(() => upstream.images.largeLayer("library/s3second", "1", 12 * MiB))
      const [blob, other] = [first.layers[0], second.layers[0]]
      if (blob === undefined || other === undefined) throw new Error("the fixture built no layer")
      const cluster = yield* replicaCluster(yield* freshDatabase, upstream, s3ServeEnv(location), true)
      const [a, b] = [cluster.first, yield* cluster.startReplica]
      expect(new Set(cluster.dataDirs).size).toBe(2)
      const [aHeaders, bHeaders] = yield* Effect.forEach([a, b], (r) => cluster.bearer(r, "s3shared"))

      const pulls = yield* Effect.forEach(
        Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? pullBlob(cluster.blobUrl(a, "s3shared", blob.digest), aHeaders!) : pullBlob(cluster.blobUrl(b, "s3shared", blob.digest), bHeaders!))),
        (pull) => pull,
        { concurrency: "unbounded" }
      )
      expect(pulls.map((p) => [p.status, p.bytes, p.digest])).toEqual(Array(8).fill([200, blob.size, blob.digest]))
      expect(yield* Effect.promise(() => upstream.registry.countBlobGets(blob.digest))).toBe(1)
      // The client has its last byte once the digest is verified; the upload completes just after (ADR 0011).
      yield* storedSoon(location, blob.digest)

      // Cached through A only; B serves it by digest from the bucket, with no upstream request. The token A
      // signed works on B: the signing keys are in the database, sealed with ENCRYPTION_KEY (ADR 0024).
      const aOther = yield* cluster.bearer(a, "s3second")
      expect((yield* pullBlob(cluster.blobUrl(a, "s3second", other.digest), aOther)).digest).toBe(other.digest)
      yield* storedSoon(location, other.digest)
      const viaB = yield* pullBlob(cluster.blobUrl(b, "s3second", other.digest), aOther)
      expect([viaB.status, viaB.bytes, viaB.digest]).toEqual([200, other.size, other.digest])
      expect(yield* Effect.promise(() => upstream.registry.countBlobGets(other.digest))).toBe(1)

      // Nothing shared on disk: no blob file, no signing key, no session key in either DATA_DIR, and the spool of
      // writes in progress empty again.
      for (const dir of cluster.dataDirs) {
        expect(yield* filesUnder(dir, "blobs")).toEqual([])
        expect(yield* filesUnder(dir, "jwt-keys")).toEqual([])
        expect((yield* filesUnder(dir, "")).filter((f) => f === "session_key" || f === "encryption_key")).toEqual([])
        yield* Effect.promise(() =>
          waitUntil(async () => (await Effect.runPromise(filesUnder(dir, "spool"))).length === 0, 30_000, 100, `an empty spool in ${dir}`))
      }
    }), { timeout: 300_000 })

  it.scopedLive("a slow upstream: a client on the other replica gets bytes while the holder still transfers, over the signed peer route", () =>
    Effect.gen(function*() {
      const world = yield* twoReplicasAndABlob("peers", "s3peers", 32 * MiB, slowLink)
      const { upstream, location, blob, cluster, replicas: [holder, peer] } = world
      const { peerFirstByte, holderDone } = yield* holderThenPeer(world, Effect.void)
      // Before the holder's client had its last byte (the object is stored only after that, ADR 0011), the peer's
      // client had its first: the bytes came from the holder's spool, not from the bucket.
      expect(peerFirstByte).toBeLessThan(holderDone)
      expect(yield* Effect.promise(() => upstream.registry.countBlobGets(blob.digest))).toBe(1)
      yield* storedSoon(location, blob.digest)

      // The route answers only a signed request: without a MAC or with another cluster's key, 401; signed but
      // for a write not in progress (this one is done), 404.
      const key = peerKey(Buffer.from(cluster.env["ENCRYPTION_KEY"] ?? "", "hex"))
      const path = `/-/peer/blobs/${blob.digest}/${randomUUID()}`
      const status = (authorization: string | null) =>
        Effect.promise(() => fetch(`${peer.url}${path}`, authorization === null ? {} : { headers: { authorization } }).then((r) => r.status))
      expect(yield* status(null)).toBe(401)
      expect(yield* status(peerAuthorization(peerKey(Buffer.alloc(32, 1)), "GET", path, new Date()))).toBe(401)
      expect(yield* status(peerAuthorization(key, "GET", path, new Date()))).toBe(404)

      // Both sides count it: the peer its reads served, the holder its answers and the bytes it sent (at least
      // the part its peer's client had before the holder's client was done), under their own route label.
      const [holderMetrics, peerMetrics] = [yield* metricsOf(holder), yield* metricsOf(peer)]
      expect(figure(peerMetrics, /^dependency_proxy_peer_reads_total\{outcome="served"\} (\d+)$/m)).toBeGreaterThan(0)
      expect(figure(holderMetrics, /^dependency_proxy_peer_route_requests_total\{outcome="served"\} (\d+)$/m)).toBeGreaterThan(0)
      expect(figure(holderMetrics, /^dependency_proxy_peer_bytes_served_total (\d+)$/m)).toBeGreaterThan(0)
      expect(figure(holderMetrics, /^dependency_proxy_http_requests_total\{route="peer",method="GET",status="2xx"\} (\d+)$/m)).toBeGreaterThan(0)
      expect(figure(peerMetrics, /^dependency_proxy_peer_route_requests_total\{outcome="unauthorized"\} (\d+)$/m)).toBe(2)
    }), { timeout: 300_000 })

  it.scopedLive("no peer announced (the holder's row gone): the other replica's client still gets every verified byte, from the bucket once stored", () =>
    Effect.gen(function*() {
      const world = yield* twoReplicasAndABlob("nopeer", "s3nopeer", 24 * MiB, slowLink)
      const { upstream, location, blob, cluster, replicas: [, peer] } = world
      // The holder announced its write before its first byte; the row is removed as a replica of an older
      // version would never have written it (ADR 0025's bound: wait for the object, or the lease).
      const { peerFirstByte, holderDone } = yield* holderThenPeer(world, unannounce(cluster.env, blob.digest))
      // Nothing came over the peer route: the peer's first byte came after the holder's client had its last,
      // and the peer counted its looks for a write as fallbacks, none served.
      expect(peerFirstByte).toBeGreaterThan(holderDone)
      const metrics = yield* metricsOf(peer)
      expect(figure(metrics, /^dependency_proxy_peer_reads_total\{outcome="fallback"\} (\d+)$/m)).toBeGreaterThan(0)
      expect(metrics).not.toMatch(/^dependency_proxy_peer_reads_total\{outcome="served"\}/m)
      expect(yield* Effect.promise(() => upstream.registry.countBlobGets(blob.digest))).toBe(1)
      yield* storedSoon(location, blob.digest)
    }), { timeout: 300_000 })

  it.scopedLive("no peer announced and the holder killed midway: the other replica takes the lease over and its client gets every verified byte", () =>
    Effect.gen(function*() {
      const { upstream, location, blob, cluster, replicas: [doomed, survivor], headers: [doomedHeaders, survivorHeaders], url } = yield* twoReplicasAndABlob(
        "nopeerkill",
        "s3nopeerkill",
        24 * MiB,
        slowLink
      )
      // At 2 MiB the doomed replica's row goes and the survivor's client asks; at 6 MiB the doomed one dies.
      const first = yield* pullUnderWay((onBytes) =>
        pullBlob(url(doomed), doomedHeaders!, (n) => {
          onBytes(n)
          if (n >= 6 * MiB) doomed.process.kill("SIGKILL")
        }), 2 * MiB)
      yield* unannounce(cluster.env, blob.digest)
      const survivorPull = yield* Effect.fork(pullBlob(url(survivor), survivorHeaders!))
      expect((yield* first.await.pipe(Effect.flatten)).bytes).toBeLessThan(blob.size)
      const completed = yield* survivorPull.await.pipe(Effect.flatten)
      expect([completed.status, completed.bytes, completed.digest, completed.aborted]).toEqual([200, blob.size, blob.digest, false])
      // Its own transfer after the lease came free, nothing read from a peer.
      expect(yield* Effect.promise(() => upstream.registry.countBlobGets(blob.digest))).toBe(2)
      const metrics = yield* metricsOf(survivor)
      expect(figure(metrics, /^dependency_proxy_peer_reads_total\{outcome="fallback"\} (\d+)$/m)).toBeGreaterThan(0)
      expect(metrics).not.toMatch(/^dependency_proxy_peer_reads_total\{outcome="served"\}/m)
      yield* storedSoon(location, blob.digest)
    }), { timeout: 300_000 })

  it.scopedLive("the replica transferring a blob killed midway: the other takes over and its clients get every verified byte", () =>
    Effect.gen(function*() {
      const { upstream, location, blob, replicas: [doomed, survivor], headers: [doomedHeaders, survivorHeaders], url } = yield* twoReplicasAndABlob(
        "takeover",
        "s3orphan",
        160 * MiB
      )
      // The doomed replica starts the transfer; at 8 MiB the survivor's clients ask, at 24 MiB it dies.
      const first = yield* pullUnderWay((onBytes) =>
        pullBlob(url(doomed), doomedHeaders!, (n) => {
          onBytes(n)
          if (n >= 24 * MiB) doomed.process.kill("SIGKILL")
        }), 8 * MiB)
      const survivorPulls = yield* Effect.fork(
        Effect.all([pullBlob(url(survivor), survivorHeaders!), pullBlob(url(survivor), survivorHeaders!)], { concurrency: "unbounded" })
      )
      const cut = yield* first.await.pipe(Effect.flatten)
      expect(cut.bytes).toBeLessThan(blob.size)
      const completed = yield* survivorPulls.await.pipe(Effect.flatten)
      expect(completed.map((p) => [p.status, p.bytes, p.digest, p.aborted])).toEqual(Array(2).fill([200, blob.size, blob.digest, false]))
      expect(yield* Effect.promise(() => upstream.registry.countBlobGets(blob.digest))).toBe(2)
      // The client has its last byte once the digest is verified; the upload completes just after (ADR 0011).
      yield* storedSoon(location, blob.digest)
    }), { timeout: 300_000 })
})
