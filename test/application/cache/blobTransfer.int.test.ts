import { describe, expect, it } from "@effect/vitest"
import { createHash, randomBytes } from "node:crypto"
import { mkdir, mkdtemp, readdir, rm, unlink } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PassThrough } from "node:stream"
import { Chunk, Context, Deferred, Effect, Exit, Fiber, Layer, Option, Ref, Stream } from "effect"
import * as FileBlobStore from "../../../src/adapters/filesystem/FileBlobStore.js"
import { blobBody } from "../../../src/adapters/upstream/blobBody.js"
import { BlobDownloads, BlobDownloadsLayer, type SharedBlob } from "../../../src/application/cache/BlobDownloads.js"
import { WINDOW_BYTES } from "../../../src/application/cache/download.js"
import { BlobStore } from "../../../src/application/ports/BlobStore.js"
import { ClusterLeases } from "../../../src/application/ports/ClusterLeases.js"
import { UpstreamUnavailable } from "../../../src/application/ports/UpstreamRegistry.js"
import { waitUntil } from "../../support/waitUntil.js"

const MiB = 1024 * 1024

const digestOf = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`

/**
 * The transfer of one blob into a file store, with an upstream body the test feeds by hand: what each
 * client has received can be checked while the transfer is still running.
 */
const world = Effect.gen(function*() {
  const root = yield* Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "blob-transfer-"))),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )
  // Leases always granted, as in one process alone, and counted: every lease taken must be given back.
  const leasesHeld = yield* Ref.make(0)
  const leases = Layer.succeed(ClusterLeases, {
    tryTake: () => Ref.update(leasesHeld, (n) => n + 1).pipe(Effect.as(Option.some(Ref.update(leasesHeld, (n) => n - 1))))
  })
  const layer = BlobDownloadsLayer.pipe(
    Layer.provideMerge(FileBlobStore.layer(root)),
    Layer.provide(leases)
  )
  const context = yield* Layer.build(layer)
  const downloads = Context.get(context, BlobDownloads)
  const store = Context.get(context, BlobStore)
  const stored = yield* Ref.make(0)
  /** `answered`: upstream's answer to the GET waits for it (headers not yet sent); a failure fails the GET. */
  const begin = (bytes: Uint8Array, digest = digestOf(bytes), answered: Effect.Effect<void, UpstreamUnavailable> = Effect.void) =>
    Effect.gen(function*() {
      const body = new PassThrough()
      const fetches = yield* Ref.make(0)
      const start = {
        fetch: Ref.update(fetches, (n) => n + 1).pipe(Effect.zipRight(answered), Effect.as({ size: bytes.length, ...blobBody(body) })),
        probe: Effect.succeed({ size: bytes.length }),
        onStored: Ref.update(stored, (n) => n + 1)
      }
      const fetch = downloads.fetch(digest, 1, start)
      return { body, fetch, fetches, digest }
    })
  const tmp = join(root, "tmp")
  const tmpFiles = Effect.promise(() => readdir(tmp))
  return { begin, store, stored, tmp, tmpFiles, leasesHeld: Ref.get(leasesHeld) }
})

/** A client reading a shared body: counts what it has, keeps the bytes, can be held still. */
const client = (shared: SharedBlob) =>
  Effect.gen(function*() {
    const received = yield* Ref.make<ReadonlyArray<Uint8Array>>([])
    const fiber = yield* Effect.fork(
      shared.body.pipe(Stream.runForEach((chunk) => Ref.update(received, (all) => [...all, Uint8Array.from(chunk)])))
    )
    const count = Ref.get(received).pipe(Effect.map((all) => all.reduce((n, c) => n + c.length, 0)))
    const bytes = Ref.get(received).pipe(Effect.map((all) => Buffer.concat(all)))
    return { fiber, count, bytes }
  })

const feed = (body: PassThrough, bytes: Uint8Array, from: number, to: number) =>
  Effect.sync(() => {
    for (let at = from; at < to; at += MiB) body.write(bytes.subarray(at, Math.min(to, at + MiB)))
  })

const eventually = <A>(what: string, check: Effect.Effect<A>, ok: (a: A) => boolean) =>
  Effect.promise(() => waitUntil(() => Effect.runPromise(check).then(ok), 10_000, 10, what))

describe("a blob's one transfer, as its clients see it", () => {
  it.scopedLive("the first client and a follower get the bytes upstream has sent while the transfer is still running; the last byte waits for the digest", () =>
    Effect.gen(function*() {
      const { begin, stored } = yield* world
      const bytes = randomBytes(6 * MiB)
      const { body, fetch, fetches } = yield* begin(bytes)
      const first = yield* client(yield* fetch)
      yield* feed(body, bytes, 0, 3 * MiB)
      yield* eventually("the first client has what upstream sent", first.count, (n) => n === 3 * MiB)
      // A client joining now starts from byte 0, in the same transfer.
      const follower = yield* client(yield* fetch)
      yield* eventually("the follower has caught up", follower.count, (n) => n === 3 * MiB)

      // Everything but the last byte while the digest is still unknown (upstream has not ended its body).
      yield* feed(body, bytes, 3 * MiB, bytes.length)
      yield* eventually("both have all but the last byte", Effect.all([first.count, follower.count]), (ns) => ns.every((n) => n === bytes.length - 1))
      expect(yield* Ref.get(stored)).toBe(0)
      expect(first.fiber.unsafePoll()).toBeNull()

      body.end()
      yield* Fiber.join(first.fiber)
      yield* Fiber.join(follower.fiber)
      expect(digestOf(yield* first.bytes)).toBe(digestOf(bytes))
      expect(digestOf(yield* follower.bytes)).toBe(digestOf(bytes))
      expect(yield* Ref.get(fetches)).toBe(1)
      // Recorded once the store has made the bytes durable, which the clients did not wait for.
      yield* eventually("the blob is stored and recorded", Ref.get(stored), (n) => n === 1)
    }), { timeout: 60_000 })

  it.scopedLive("a follower that fell behind the window in memory reads the rest from the store, and gets every byte", () =>
    Effect.gen(function*() {
      const { begin, store } = yield* world
      const bytes = randomBytes(WINDOW_BYTES + 8 * MiB)
      const { body, fetch } = yield* begin(bytes)
      const fast = yield* client(yield* fetch)
      // The slow one takes its first chunk, then nothing until the transfer is over: by then the window
      // holds only the newest bytes.
      const slow = yield* Stream.toPull((yield* fetch).body)
      yield* feed(body, bytes, 0, MiB)
      const head = yield* slow
      yield* feed(body, bytes, MiB, bytes.length)
      body.end()
      yield* Fiber.join(fast.fiber)
      expect(Option.isSome(yield* store.size(digestOf(bytes)))).toBe(true)
      const rest: Array<Uint8Array> = [...Chunk.toReadonlyArray(head)]
      for (;;) {
        const next = yield* Effect.option(slow)
        if (Option.isNone(next)) break
        rest.push(...Chunk.toReadonlyArray(next.value))
      }
      expect(digestOf(Buffer.concat(rest))).toBe(digestOf(bytes))
      expect(digestOf(yield* fast.bytes)).toBe(digestOf(bytes))
    }), { timeout: 60_000 })

  it.scopedLive("a client going away does not stop the transfer: the blob is stored and the next client gets it", () =>
    Effect.gen(function*() {
      const { begin, store, stored } = yield* world
      const bytes = randomBytes(4 * MiB)
      const { body, fetch } = yield* begin(bytes)
      const leaving = yield* client(yield* fetch)
      yield* feed(body, bytes, 0, MiB)
      yield* eventually("the client has its first bytes", leaving.count, (n) => n >= MiB)
      yield* Fiber.interrupt(leaving.fiber)
      yield* feed(body, bytes, MiB, bytes.length)
      body.end()
      yield* eventually("the blob is stored", Ref.get(stored), (n) => n === 1)
      const size = yield* store.size(digestOf(bytes))
      expect(size).toEqual(Option.some(bytes.length))
    }), { timeout: 60_000 })

  it.scopedLive("bytes that do not hash to the digest: every client is cut off before its last byte and nothing is kept", () =>
    Effect.gen(function*() {
      const { begin, store, stored, tmpFiles } = yield* world
      const bytes = randomBytes(3 * MiB)
      const { body, fetch, digest } = yield* begin(bytes, digestOf(randomBytes(16)))
      const a = yield* client(yield* fetch)
      const b = yield* client(yield* fetch)
      yield* feed(body, bytes, 0, bytes.length)
      body.end()
      const exits = [yield* Fiber.await(a.fiber), yield* Fiber.await(b.fiber)]
      expect(exits.map(Exit.isFailure)).toEqual([true, true])
      expect((yield* a.count) < bytes.length && (yield* b.count) < bytes.length).toBe(true)
      expect(yield* store.size(digest)).toEqual(Option.none())
      expect(yield* Ref.get(stored)).toBe(0)
      yield* eventually("the temporary file is gone", tmpFiles, (files) => files.length === 0)
    }), { timeout: 60_000 })
  it.scopedLive("a client going away before upstream has answered does not stop the transfer: the next client joins it and gets the bytes", () =>
    Effect.gen(function*() {
      const { begin, stored, leasesHeld } = yield* world
      const bytes = randomBytes(2 * MiB)
      const headers = yield* Deferred.make<void>()
      const { body, fetch, fetches } = yield* begin(bytes, digestOf(bytes), Deferred.await(headers))
      const leaving = yield* Effect.fork(fetch)
      yield* eventually("upstream is asked", Ref.get(fetches), (n) => n === 1)
      yield* Fiber.interrupt(leaving)
      yield* Deferred.succeed(headers, undefined)
      const next = yield* client(yield* fetch.pipe(Effect.timeout("10 seconds")))
      yield* feed(body, bytes, 0, bytes.length)
      body.end()
      yield* Fiber.join(next.fiber)
      expect(digestOf(yield* next.bytes)).toBe(digestOf(bytes))
      expect(yield* Ref.get(fetches)).toBe(1)
      yield* eventually("the blob is stored", Ref.get(stored), (n) => n === 1)
      yield* eventually("the lease is given back", leasesHeld, (n) => n === 0)
    }), { timeout: 60_000 })

  it.scopedLive("upstream failing after its only client went away gives the lease back, and the next pull asks upstream again", () =>
    Effect.gen(function*() {
      const { begin, leasesHeld } = yield* world
      const bytes = randomBytes(MiB)
      const headers = yield* Deferred.make<void, UpstreamUnavailable>()
      const first = yield* begin(bytes, digestOf(bytes), Deferred.await(headers))
      const leaving = yield* Effect.fork(first.fetch)
      yield* eventually("upstream is asked", Ref.get(first.fetches), (n) => n === 1)
      yield* Fiber.interrupt(leaving)
      yield* Deferred.fail(headers, new UpstreamUnavailable({ reason: "upstream reset the connection" }))
      yield* eventually("the lease is given back", leasesHeld, (n) => n === 0)
      const again = yield* begin(bytes)
      const next = yield* client(yield* again.fetch.pipe(Effect.timeout("10 seconds")))
      yield* feed(again.body, bytes, 0, bytes.length)
      again.body.end()
      yield* Fiber.join(next.fiber)
      expect(digestOf(yield* next.bytes)).toBe(digestOf(bytes))
      expect(yield* Ref.get(again.fetches)).toBe(1)
    }), { timeout: 60_000 })
  it.scopedLive("a failed transfer whose temporary file cannot be removed still cuts its client off, gives the lease back, and the next pull starts over", () =>
    Effect.gen(function*() {
      const { begin, tmp, tmpFiles, leasesHeld } = yield* world
      const bytes = randomBytes(3 * MiB)
      const { body, fetch } = yield* begin(bytes)
      const first = yield* client(yield* fetch)
      yield* feed(body, bytes, 0, MiB)
      yield* eventually("the client has its first bytes", first.count, (n) => n >= MiB)
      // Its unlink fails (EISDIR), as on a volume gone read-only: the write keeps its open handle meanwhile.
      const [name] = yield* tmpFiles
      expect(name).toBeDefined()
      const temporary = join(tmp, name ?? "")
      yield* Effect.promise(() => unlink(temporary).then(() => mkdir(temporary)))
      body.destroy(new Error("connection reset by upstream"))
      const exit = yield* Fiber.await(first.fiber).pipe(Effect.timeout("10 seconds"))
      expect(Exit.isFailure(exit)).toBe(true)
      yield* eventually("the lease is given back", leasesHeld, (n) => n === 0)
      const again = yield* begin(bytes)
      const next = yield* client(yield* again.fetch.pipe(Effect.timeout("10 seconds")))
      yield* feed(again.body, bytes, 0, bytes.length)
      again.body.end()
      yield* Fiber.join(next.fiber).pipe(Effect.timeout("10 seconds"))
      expect(digestOf(yield* next.bytes)).toBe(digestOf(bytes))
      yield* Effect.promise(() => rm(temporary, { recursive: true }))
    }), { timeout: 60_000 })
})
