import { createHash, randomBytes, randomUUID } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, ManagedRuntime, Option } from "effect"
import Fastify from "fastify"
import { renderEffectMetrics } from "../../../src/adapters/http/metrics.js"
import { registerPeerRoute } from "../../../src/adapters/http/peerRoute.js"
import { blobTransfers } from "../../../src/adapters/peers/blobTransfers.js"
import { peerAuthorization, peerKey } from "../../../src/adapters/peers/peerAuth.js"
import { peerPath } from "../../../src/adapters/peers/peerReader.js"
import * as S3BlobStore from "../../../src/adapters/s3/S3BlobStore.js"
import { BlobStore, type BlobStoreShape, type BlobWrite } from "../../../src/application/ports/BlobStore.js"
import { migratedTestDatabase } from "../../support/postgres/postgresTestDatabase.js"
import { freshS3Location } from "../../support/s3.js"

const MiB = 1024 * 1024

/** One sample of the process's Effect metrics, 0 when never counted. */
const sample = (name: string, outcome?: string) => {
  const labels = outcome === undefined ? "" : `\\{outcome="${outcome}"\\}`
  return Number(new RegExp(`^${name}${labels} (\\d+)$`, "m").exec(renderEffectMetrics())?.[1] ?? 0)
}
const answers = (outcome: string) => sample("dependency_proxy_peer_route_requests_total", outcome)
const reads = (outcome: string) => sample("dependency_proxy_peer_reads_total", outcome)

const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), prefix))),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )

/**
 * Two S3 blob stores on one radosgw bucket and one Postgres database, as two replicas have them: the holder's,
 * whose writes in progress its peer route (on a port of its own) serves, and a peer's, which follows them over
 * that route. A blob of 12 MiB of random bytes, of which the holder has written `written` so far.
 */
const holderAndPeer = (written: number) =>
  Effect.gen(function*() {
    const database = yield* Layer.build(migratedTestDatabase)
    const sql = Context.get(database, SqlClient.SqlClient)
    const location = freshS3Location("peer-route")
    const key = peerKey(randomBytes(32))
    // The route listens before the holder's store exists: its address goes into the store's announcements.
    let holderStore: BlobStoreShape | null = null
    const runtime = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ManagedRuntime.make(Layer.effect(BlobStore, Effect.suspend(() => (holderStore === null ? Effect.dieMessage("no store yet") : Effect.succeed(holderStore)))))
      ),
      (r) => r.disposeEffect
    )
    const app = Fastify()
    registerPeerRoute(app, runtime, key)
    const url = yield* Effect.acquireRelease(Effect.promise(() => app.listen({ port: 0, host: "127.0.0.1" })), () => Effect.promise(() => app.close()))
    const store = (spoolDir: string, peerUrl: string) =>
      Layer.build(S3BlobStore.layer({ ...location, spoolDir, timeoutMs: 5_000, peers: { transfers: blobTransfers(sql, peerUrl), key } })).pipe(
        Effect.map((context) => Context.get(context, BlobStore))
      )
    const holder = yield* store(yield* tempDir("peer-holder-"), url)
    holderStore = holder
    // The peer's own address is never asked for here: it writes nothing.
    const peer = yield* store(yield* tempDir("peer-follower-"), "http://127.0.0.1:9")

    const blob = randomBytes(12 * MiB)
    const digest = `sha256:${createHash("sha256").update(blob).digest("hex")}`
    const write: BlobWrite = yield* Effect.acquireRelease(holder.begin(digest), (w) => w.abort.pipe(Effect.ignore, Effect.zipRight(w.release)))
    yield* write.append(blob.subarray(0, written))
    // The write's id, as a peer learns it: from the holder's announcement.
    const announced = (yield* sql`select write_id, peer_url from blob_transfers where digest = ${digest}`)[0]
    expect(announced?.["peer_url"]).toBe(url)
    const writeId = announced?.["write_id"]
    if (typeof writeId !== "string") throw new Error("the write was not announced")
    const path = peerPath(digest, writeId)
    /** A request to the route, signed with the cluster's key unless told otherwise. */
    const ask = (init: { readonly method?: "GET" | "HEAD"; readonly range?: string; readonly authorization?: string | null; readonly at?: string }) =>
      Effect.promise(async () => {
        const method = init.method ?? "GET"
        const at = init.at ?? path
        const authorization = init.authorization === undefined ? peerAuthorization(key, method, at, new Date()) : init.authorization
        const response = await fetch(`${url}${at}`, {
          method,
          headers: { ...(authorization === null ? {} : { authorization }), ...(init.range === undefined ? {} : { range: init.range }) }
        })
        return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) }
      })
    return { sql, key, url, holder, peer, blob, digest, write, writeId, path, ask }
  })

/**
 * The peer route (ADR 0025) on a real write in progress: who may read, which bytes it answers, what it counts;
 * and a peer's store following the write through it, or falling back when none is announced.
 */
describe("the peer route: GET /-/peer/blobs/<digest>/<write id>", () => {
  it.scopedLive("refuses (401) anything without a valid MAC for this method and path, before looking the write up", () =>
    Effect.gen(function*() {
      const { ask, path, writeId, key } = yield* holderAndPeer(3 * MiB)
      const before = answers("unauthorized")
      const valid = peerAuthorization(key, "GET", path, new Date())
      const [expiry, mac] = valid.slice("Peer ".length).split(".")
      const flipped = `Peer ${expiry}.${mac?.[0] === "0" ? "1" : "0"}${mac?.slice(1)}`
      const otherDigest = `sha256:${"0".repeat(64)}`
      const refused = [
        null,
        "",
        `Bearer ${expiry}.${mac}`,
        flipped,
        // Expired: made two minutes ago, valid one.
        peerAuthorization(key, "GET", path, new Date(Date.now() - 120_000)),
        // Minted for later than a MAC may live.
        peerAuthorization(key, "GET", path, new Date(Date.now() + 3_600_000)),
        // Made for another digest's path, the same write id.
        peerAuthorization(key, "GET", peerPath(otherDigest, writeId), new Date()),
        // Made for HEAD.
        peerAuthorization(key, "HEAD", path, new Date()),
        // Another cluster's key.
        peerAuthorization(peerKey(randomBytes(32)), "GET", path, new Date())
      ]
      for (const authorization of refused) {
        const answer = yield* ask({ authorization, range: "bytes=0-9" })
        expect([authorization, answer.status, answer.body.toString()]).toEqual([authorization, 401, JSON.stringify({ message: "a peer MAC is required" })])
      }
      expect(answers("unauthorized")).toBe(before + refused.length)
      // The same request signed right is answered.
      expect((yield* ask({ authorization: valid, range: "bytes=0-9" })).status).toBe(206)
    }), { timeout: 120_000 })

  it.scopedLive("answers the bytes written so far: HEAD's count, 206 for ranges within them, cut at the count and at 8 MiB; 416 past them or malformed", () =>
    Effect.gen(function*() {
      const written = 9 * MiB + 17
      const { ask, blob } = yield* holderAndPeer(written)
      const [servedBefore, bytesBefore, unsatisfiableBefore] = [answers("served"), sample("dependency_proxy_peer_bytes_served_total"), answers("unsatisfiable")]

      const head = yield* ask({ method: "HEAD" })
      expect([head.status, head.headers.get("x-written"), head.body.length]).toEqual([200, String(written), 0])

      const within = yield* ask({ range: "bytes=10-99" })
      expect([within.status, within.headers.get("content-range"), within.headers.get("x-written")]).toEqual([206, "bytes 10-99/*", String(written)])
      expect(within.body.equals(blob.subarray(10, 100))).toBe(true)

      // Up to the last byte written, not the blob's.
      const tail = yield* ask({ range: `bytes=${written - 100}-${written + MiB}` })
      expect([tail.status, tail.headers.get("content-range")]).toEqual([206, `bytes ${written - 100}-${written - 1}/*`])
      expect(tail.body.equals(blob.subarray(written - 100, written))).toBe(true)
      const open = yield* ask({ range: `bytes=${written - 5}-` })
      expect(open.body.equals(blob.subarray(written - 5, written))).toBe(true)

      // One answer carries 8 MiB at most; the follower asks again from there.
      const whole = yield* ask({})
      expect([whole.status, whole.body.length, whole.headers.get("content-range")]).toEqual([206, 8 * MiB, `bytes 0-${8 * MiB - 1}/*`])
      expect(whole.body.equals(blob.subarray(0, 8 * MiB))).toBe(true)

      // Past what is written (the design: the follower asks again on its next tick, the route never waits).
      const past = yield* ask({ range: `bytes=${written}-${written + 10}` })
      expect([past.status, past.headers.get("content-range"), past.body.length]).toEqual([416, `bytes */${written}`, 0])
      for (const range of ["bytes=abc", "bytes=50-10", "bytes=0-1,5-6", "items=0-5", "bytes=-5"]) {
        expect([range, (yield* ask({ range })).status]).toEqual([range, 416])
      }

      expect(answers("served")).toBe(servedBefore + 5)
      expect(sample("dependency_proxy_peer_bytes_served_total")).toBe(bytesBefore + 90 + 100 + 5 + 8 * MiB)
      expect(answers("unsatisfiable")).toBe(unsatisfiableBefore + 6)
    }), { timeout: 120_000 })

  it.scopedLive("404 for a write not in progress here: an unknown write id, a malformed digest or id, a write released", () =>
    Effect.gen(function*() {
      const { ask, digest, write, path, holder, writeId } = yield* holderAndPeer(MiB)
      const before = answers("not_found")
      const gone = [peerPath(digest, randomUUID()), peerPath(`sha256:${"f".repeat(64)}`, writeId), peerPath("sha256:xyz", writeId), peerPath(digest, "not-a-write-id")]
      for (const at of gone) expect([at, (yield* ask({ at, range: "bytes=0-9" })).status]).toEqual([at, 404])
      expect((yield* ask({ range: "bytes=0-9" })).status).toBe(206)
      yield* write.abort
      expect(Option.isNone(yield* holder.openWriting(digest, writeId))).toBe(true)
      expect((yield* ask({ at: path, range: "bytes=0-9" })).status).toBe(404)
      expect(answers("not_found")).toBe(before + gone.length + 1)
    }), { timeout: 120_000 })

  it.scopedLive("a peer's store follows the write through the route, counts its reads, and falls back when none is announced", () =>
    Effect.gen(function*() {
      const { peer, digest, writeId, blob, write, sql } = yield* holderAndPeer(2 * MiB)
      const [served, refused, failed, fallback] = [reads("served"), reads("refused"), reads("failed"), reads("fallback")]

      const reader = Option.getOrThrow(yield* peer.openPartial(digest))
      expect(reader.id).toBe(writeId)
      expect(yield* reader.size).toBe(2 * MiB)
      expect(Buffer.from(yield* reader.read(MiB, MiB + 1000)).equals(blob.subarray(MiB, MiB + 1000))).toBe(true)
      yield* write.append(blob.subarray(2 * MiB, 3 * MiB))
      expect(yield* reader.size).toBe(3 * MiB)
      expect(reads("served")).toBe(served + 3)

      // Past the bytes written: refused, and the reader gives nothing rather than failing.
      expect((yield* reader.read(3 * MiB, 3 * MiB + 10)).length).toBe(0)
      expect(reads("refused")).toBe(refused + 1)

      // The write ends: its row is withdrawn (the peer falls back to waiting for the object), and the old
      // reader's requests are refused (404) while it keeps the last count.
      yield* write.abort
      expect(yield* sql`select 1 from blob_transfers where digest = ${digest}`).toHaveLength(0)
      expect(Option.isNone(yield* peer.openPartial(digest))).toBe(true)
      expect(reads("fallback")).toBe(fallback + 1)
      expect(yield* reader.size).toBe(3 * MiB)
      expect(reads("refused")).toBe(refused + 2)

      // A row naming a replica that does not answer: the read fails quietly and is counted as failed.
      yield* sql`insert into blob_transfers (digest, write_id, peer_url) values (${digest}, ${randomUUID()}, ${"http://127.0.0.1:9"})`
      const dead = Option.getOrThrow(yield* peer.openPartial(digest))
      expect([yield* dead.size, (yield* dead.read(0, 10)).length]).toEqual([0, 0])
      expect(reads("failed")).toBe(failed + 2)
    }), { timeout: 120_000 })
})
