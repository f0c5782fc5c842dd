import { it } from "@effect/vitest"
import { Cause, Chunk, Effect, Either, Exit, Option, type Scope, Stream } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { assert, describe, expect } from "vitest"
import {
  type BlobCheck,
  BlobStoreError,
  type BlobStoreShape,
  type BlobWrite,
  type ByteRange,
  DigestMismatch
} from "../../src/application/ports/BlobStore.js"

/**
 * What an adapter keeps its blobs on, seen from outside the store: lets the suite check what the port cannot
 * show (leftover files, permissions, untouched neighbours) and damage a blob behind the store's back.
 */
export interface StoreMedium {
  /** Every regular file under the store's root, relative to it with `/` separators, sorted. */
  readonly files: Effect.Effect<ReadonlyArray<string>>
  /** Where the documented layout puts a committed blob, relative to the root. */
  readonly blobFile: (digest: string) => string
  /** Permission bits (`mode & 0o777`) of a file relative to the root. */
  readonly permissions: (relative: string) => Effect.Effect<number>
  /**
   * A fingerprint of the whole directory the root lives in, neighbours outside the root included (names,
   * kinds, modes, sizes, mtimes, content hashes): equal before and after means nothing was written there.
   */
  readonly fingerprint: Effect.Effect<string>
  /** Overwrites one byte of a stored blob in place, keeping its size. */
  readonly corrupt: (digest: string) => Effect.Effect<void>
}

export type BlobStoreSubject =
  /** A store whose bytes only the port can reach (in process memory). */
  | { readonly _tag: "Opaque"; readonly fresh: Effect.Effect<BlobStoreShape, unknown, Scope.Scope> }
  /** A store on a medium the test can inspect and damage. */
  | {
    readonly _tag: "OnMedium"
    readonly fresh: Effect.Effect<{ readonly store: BlobStoreShape; readonly medium: StoreMedium }, unknown, Scope.Scope>
  }

// ---------------------------------------------------------------------------------------------------------
// Helpers shared by the adapters' test files.

/** What `list` says, without `storedAt` (a clock reading, checked on its own below). */
const listedBlobs = (store: BlobStoreShape) =>
  store.list.pipe(Effect.map((blobs) => blobs.map(({ digest, size }) => ({ digest, size }))))

export const digestOf = (bytes: Uint8Array): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`

export const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")

export const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => Buffer.concat(parts)

/** Cuts `bytes` into consecutive chunks of the given sizes (the last takes whatever remains). */
export const chunked = (bytes: Uint8Array, sizes: ReadonlyArray<number>): ReadonlyArray<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  let at = 0
  for (const size of sizes) {
    chunks.push(bytes.subarray(at, at + size))
    at += size
  }
  if (at < bytes.length) chunks.push(bytes.subarray(at))
  return chunks
}

/** All bytes of a read, whether the failure comes when opening it or while streaming. */
export const readBytes = (store: BlobStoreShape, digest: string, range: ByteRange | null = null) =>
  store.read(digest, range).pipe(
    Effect.flatMap(Stream.runCollect),
    Effect.map((chunks) => concat(Chunk.toReadonlyArray(chunks)))
  )

/** Writes `chunks` under `digest` (by default their own digest) and commits; releases the write either way. */
export const put = (store: BlobStoreShape, chunks: ReadonlyArray<Uint8Array>, digest: string = digestOf(concat(chunks))) =>
  Effect.acquireUseRelease(
    store.begin(digest),
    (write) => Effect.forEach(chunks, (chunk) => write.append(chunk), { discard: true }).pipe(Effect.zipRight(write.commit)),
    (write) => write.release
  ).pipe(Effect.as(digest))

/** The error an effect failed with; fails the test if it succeeded. */
const failureOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.either(effect).pipe(Effect.map(Either.match({
    onLeft: (error) => error,
    onRight: (value) => assert.fail(`expected a failure, got ${String(value)}`)
  })))

/** How a call ended, as text, so that a table of calls compares with one readable diff. */
const outcomeOf = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.exit(effect).pipe(Effect.map((exit) =>
    Exit.match(exit, {
      onSuccess: (value) => `succeeded with ${typeof value === "string" ? value : typeof value}`,
      onFailure: (cause) =>
        Option.match(Cause.failureOption(cause), {
          onNone: () => `died: ${Cause.pretty(cause)}`,
          onSome: (error) => (error instanceof BlobStoreError ? "BlobStoreError" : `failed with ${String(error)}`)
        })
    })
  ))

const expectVisible = (store: BlobStoreShape, digest: string, bytes: Uint8Array) =>
  Effect.gen(function*() {
    expect(yield* store.size(digest)).toEqual(Option.some(bytes.length))
    expect(hexOf(yield* readBytes(store, digest))).toBe(hexOf(bytes))
    expect(yield* listedBlobs(store)).toContainEqual({ digest, size: bytes.length })
  })

const expectAbsent = (store: BlobStoreShape, digest: string) =>
  Effect.gen(function*() {
    expect(yield* store.size(digest)).toEqual(Option.none())
    expect(yield* failureOf(readBytes(store, digest))).toBeInstanceOf(BlobStoreError)
    expect((yield* listedBlobs(store)).map((blob) => blob.digest)).not.toContain(digest)
    expect(yield* store.check(digest)).toBe<BlobCheck>("missing")
  })

/** Reads a growing blob the way a request joining a download does: from byte 0, as far as written, until done. */
const follow = (write: BlobWrite, total: number) =>
  Effect.gen(function*() {
    const parts: Array<Uint8Array> = []
    let position = 0
    while (position < total) {
      const available = yield* write.written
      if (available > position) {
        const part = yield* write.readWritten(position, available)
        parts.push(part)
        position += part.length
      } else {
        yield* Effect.sleep("1 millis")
      }
    }
    return concat(parts)
  })

const HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/** Strings that are not `sha256:` and 64 lowercase hex digits; some would name files outside a naive root. */
export const invalidDigests: ReadonlyArray<string> = [
  "sha256:../../etc/passwd",
  `sha256:../../${HEX.slice(6)}`, // traversal of exactly the right length
  "md5:d41d8cd98f00b204e9800998ecf8427e",
  `sha512:${HEX}${HEX}`,
  `sha256:${HEX.toUpperCase()}`,
  `sha256:${HEX.slice(0, 63)}`, // too short
  `sha256:${HEX}0`, // too long
  `sha256:${HEX}\n`, // a trailing newline that a multiline-lenient pattern would accept
  `sha256:${HEX}/../x`,
  HEX, // no algorithm
  ""
]

// ---------------------------------------------------------------------------------------------------------

/**
 * Registers the blob-store contract for one adapter. Each test gets a fresh, empty store. The assertions on
 * the medium (leftover files, permissions, layout, corruption) run only for a subject that has one.
 */
export const blobStoreContract = (name: string, subject: BlobStoreSubject): void => {
  const fresh: Effect.Effect<{ readonly store: BlobStoreShape; readonly medium: StoreMedium | null }, unknown, Scope.Scope> =
    subject._tag === "OnMedium" ? subject.fresh : subject.fresh.pipe(Effect.map((store) => ({ store, medium: null })))

  describe(`${name} (blob store contract)`, () => {
    it.scopedLive("a blob written in several chunks reads back as exactly those bytes once committed", () =>
      Effect.gen(function*() {
        const { medium, store } = yield* fresh
        const bytes = randomBytes(5_000)
        const digest = yield* put(store, chunked(bytes, [1, 1_000, 7, 2_048, 3]))

        yield* expectVisible(store, digest, bytes)
        expect(yield* store.check(digest)).toBe<BlobCheck>("ok")
        // Nothing but the blob itself: the temporary file became it.
        if (medium !== null) expect(yield* medium.files).toEqual([medium.blobFile(digest)])
      }))

    it.scopedLive("an empty blob round-trips", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        const empty = new Uint8Array(0)
        const digest = yield* put(store, [])
        expect(digest).toBe(digestOf(empty))
        yield* expectVisible(store, digest, empty)
      }))

    it.scopedLive("a write in progress can be followed by position, and is no longer partial once committed", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        const bytes = randomBytes(4_000)
        const digest = digestOf(bytes)
        expect(Option.isNone(yield* store.openPartial(digest))).toBe(true)
        const write = yield* store.begin(digest)
        yield* write.append(bytes.subarray(0, 1_500))
        const partial = Option.getOrThrow(yield* store.openPartial(digest))
        expect(yield* partial.size).toBe(1_500)
        expect(hexOf(yield* partial.read(500, 1_000))).toBe(hexOf(bytes.subarray(500, 1_000)))
        // A read past what is written gets what there is, not an error or garbage.
        expect(hexOf(yield* partial.read(1_000, 3_000))).toBe(hexOf(bytes.subarray(1_000, 1_500)))
        yield* write.append(bytes.subarray(1_500))
        expect(yield* partial.size).toBe(4_000)
        expect(Option.isNone(yield* store.openStored(digest))).toBe(true)
        yield* write.commit
        yield* partial.close
        expect(Option.isNone(yield* store.openPartial(digest))).toBe(true)
        const stored = Option.getOrThrow(yield* store.openStored(digest))
        expect(yield* stored.size).toBe(4_000)
        expect(hexOf(yield* stored.read(0, 4_000))).toBe(hexOf(bytes))
        yield* stored.close
        yield* write.release
      }))

    it.scopedLive("a second attempt at the same digest is the partial one followed; an aborted one is gone", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        const bytes = randomBytes(2_000)
        const digest = digestOf(bytes)
        const first = yield* store.begin(digest)
        yield* first.append(bytes.subarray(0, 100))
        const partialId = store.openPartial(digest).pipe(
          Effect.map(Option.getOrThrow),
          Effect.tap((reader) => reader.close),
          Effect.map((reader) => reader.id)
        )
        const firstId = yield* partialId
        // Ten milliseconds apart, so "newest" is well defined on a file system with coarse timestamps.
        yield* Effect.sleep("10 millis")
        const second = yield* store.begin(digest)
        yield* second.append(bytes.subarray(0, 300))
        const followed = Option.getOrThrow(yield* store.openPartial(digest))
        expect(followed.id).not.toBe(firstId)
        expect(yield* followed.size).toBe(300)
        yield* followed.close
        yield* second.abort
        yield* second.release
        expect(yield* partialId).toBe(firstId)
        yield* first.abort
        yield* first.release
        expect(Option.isNone(yield* store.openPartial(digest))).toBe(true)
      }))

    it.scopedLive("before commit a blob is invisible to size, read, list and check", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        const bytes = randomBytes(3_000)
        const digest = digestOf(bytes)
        const write = yield* store.begin(digest)
        yield* expectAbsent(store, digest)
        yield* write.append(bytes.subarray(0, 1_000))
        yield* expectAbsent(store, digest)
        yield* write.append(bytes.subarray(1_000))
        // All the bytes are there and hash right, but only commit may publish them.
        yield* expectAbsent(store, digest)
        yield* write.commit
        yield* expectVisible(store, digest, bytes)
        yield* write.release
      }))

    it.scopedLive("a run of chunks appended as one write reads back in order, empty chunks and all", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        const bytes = randomBytes(300 * 1_024)
        const digest = digestOf(bytes)
        const write = yield* store.begin(digest)
        const [a, b, c, d] = chunked(bytes, [1, 64 * 1_024, 0, 100_000])
        yield* Effect.flatten(write.appendRun([a!, b!, c!, new Uint8Array(0)]))
        expect(yield* write.written).toBe(1 + 64 * 1_024)
        // Taken before the first is in the store: they still land in order.
        const second = yield* write.appendRun([d!])
        const third = yield* write.appendRun(chunked(bytes.subarray(1 + 64 * 1_024 + 100_000), [7, 70_000]))
        yield* write.verify
        yield* third
        yield* second
        expect(yield* write.written).toBe(bytes.length)
        expect(hexOf(yield* write.readWritten(0, bytes.length))).toBe(hexOf(bytes))
        yield* write.commit
        yield* write.release
        yield* expectVisible(store, digest, bytes)
      }))

    it.scopedLive("readWritten returns what was appended so far, clamps to written, and works after commit", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        const bytes = randomBytes(30)
        const digest = digestOf(bytes)
        const write = yield* store.begin(digest)
        expect(yield* write.written).toBe(0)
        expect(hexOf(yield* write.readWritten(0, 10))).toBe("")

        yield* write.append(bytes.subarray(0, 10))
        expect(yield* write.written).toBe(10)
        expect(hexOf(yield* write.readWritten(0, 10))).toBe(hexOf(bytes.subarray(0, 10)))
        expect(hexOf(yield* write.readWritten(4, 8))).toBe(hexOf(bytes.subarray(4, 8)))
        // Asking past the end gives what exists, not garbage or zeros from a pre-sized buffer.
        expect(hexOf(yield* write.readWritten(0, 1_000))).toBe(hexOf(bytes.subarray(0, 10)))
        expect(hexOf(yield* write.readWritten(10, 20))).toBe("")

        yield* write.append(bytes.subarray(10, 25))
        expect(yield* write.written).toBe(25)
        expect(hexOf(yield* write.readWritten(5, 25))).toBe(hexOf(bytes.subarray(5, 25)))
        expect(hexOf(yield* write.readWritten(20, 30))).toBe(hexOf(bytes.subarray(20, 25)))
        expect(hexOf(yield* write.readWritten(26, 40))).toBe("")

        yield* write.append(bytes.subarray(25))
        yield* write.commit
        // Readers that joined the download keep reading from the write after it became the blob.
        expect(yield* write.written).toBe(30)
        expect(hexOf(yield* write.readWritten(0, 30))).toBe(hexOf(bytes))
        expect(hexOf(yield* write.readWritten(28, 100))).toBe(hexOf(bytes.subarray(28)))
        yield* write.release
      }))

    it.scopedLive("a reader following the growing blob from byte 0 gets exactly the bytes", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        const bytes = randomBytes(200 * 1_024)
        const digest = digestOf(bytes)
        const write = yield* store.begin(digest)
        const writer = Effect.forEach(chunked(bytes, Array.from({ length: 50 }, () => 4_096)), (chunk) =>
          write.append(chunk).pipe(Effect.zipRight(Effect.yieldNow())), { discard: true })
        const [, seen] = yield* Effect.all([writer, follow(write, bytes.length)], { concurrency: "unbounded" })
        expect(hexOf(seen)).toBe(hexOf(bytes))
        yield* write.commit
        yield* write.release
        yield* expectVisible(store, digest, bytes)
      }))

    it.scopedLive("a digest mismatch at commit fails with DigestMismatch and keeps nothing", () =>
      Effect.gen(function*() {
        const { medium, store } = yield* fresh
        const bytes = randomBytes(2_000)
        const claimed = digestOf(randomBytes(2_000))
        const write = yield* store.begin(claimed)
        yield* write.append(bytes.subarray(0, 700))
        yield* write.append(bytes.subarray(700))

        expect(yield* failureOf(write.verify)).toBeInstanceOf(DigestMismatch)
        const error = yield* failureOf(write.commit)
        expect(error).toBeInstanceOf(DigestMismatch)
        expect(error).toMatchObject({ _tag: "DigestMismatch", expected: claimed, actual: digestOf(bytes) })
        yield* write.release

        yield* expectAbsent(store, claimed)
        yield* expectAbsent(store, digestOf(bytes))
        expect(yield* listedBlobs(store)).toEqual([])
        // Neither the temporary file nor anything at the final place.
        if (medium !== null) expect(yield* medium.files).toEqual([])
      }))

    it.scopedLive("abort keeps nothing", () =>
      Effect.gen(function*() {
        const { medium, store } = yield* fresh
        const bytes = randomBytes(2_000)
        const digest = digestOf(bytes)
        const write = yield* store.begin(digest)
        yield* write.append(bytes)
        yield* write.abort
        yield* write.release

        yield* expectAbsent(store, digest)
        expect(yield* listedBlobs(store)).toEqual([])
        if (medium !== null) expect(yield* medium.files).toEqual([])
      }))

    it.scopedLive("abort after a successful commit leaves the committed blob in place", () =>
      Effect.gen(function*() {
        // BlobDownloads aborts on any failure of its pipeline, including one after the commit (recording it).
        const { medium, store } = yield* fresh
        const bytes = randomBytes(1_500)
        const digest = digestOf(bytes)
        const write = yield* store.begin(digest)
        yield* write.append(bytes)
        yield* write.commit
        yield* write.abort
        yield* write.release

        yield* expectVisible(store, digest, bytes)
        expect(yield* store.check(digest)).toBe<BlobCheck>("ok")
        if (medium !== null) expect(yield* medium.files).toEqual([medium.blobFile(digest)])
      }))

    it.scopedLive("a failed or aborted rewrite of a stored digest leaves the stored blob alone", () =>
      Effect.gen(function*() {
        const { medium, store } = yield* fresh
        const bytes = randomBytes(1_000)
        const digest = yield* put(store, [bytes])

        const aborted = yield* store.begin(digest)
        yield* aborted.append(bytes.subarray(0, 500))
        yield* aborted.abort
        yield* aborted.release

        const wrong = yield* store.begin(digest)
        yield* wrong.append(randomBytes(1_000))
        expect(yield* failureOf(wrong.commit)).toBeInstanceOf(DigestMismatch)
        yield* wrong.release

        yield* expectVisible(store, digest, bytes)
        expect(yield* store.check(digest)).toBe<BlobCheck>("ok")
        if (medium !== null) expect(yield* medium.files).toEqual([medium.blobFile(digest)])
      }))

    it.scopedLive("range reads are inclusive at both ends", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        const bytes = randomBytes(100)
        const digest = yield* put(store, chunked(bytes, [33, 33]))
        const range = (start: number, end: number) => readBytes(store, digest, { start, end }).pipe(Effect.map(hexOf))

        expect(yield* range(0, 0)).toBe(hexOf(bytes.subarray(0, 1)))
        expect(yield* range(99, 99)).toBe(hexOf(bytes.subarray(99, 100)))
        expect(yield* range(10, 19)).toBe(hexOf(bytes.subarray(10, 20)))
        expect(yield* range(32, 34)).toBe(hexOf(bytes.subarray(32, 35)))
        expect(yield* range(0, 99)).toBe(hexOf(bytes))
      }))

    it.scopedLive("every method refuses an invalid digest with BlobStoreError and touches nothing", () =>
      Effect.gen(function*() {
        const { medium, store } = yield* fresh
        // A stored blob, so that a lenient method has something it could wrongly find, remove or report.
        const kept = randomBytes(100)
        const keptDigest = yield* put(store, [kept])
        const before = medium === null ? null : yield* medium.fingerprint

        const calls = (digest: string): ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]> => [
          ["size", store.size(digest)],
          // The refusal must come before any stream exists: nothing may be opened for such a name.
          ["read", store.read(digest, null)],
          ["read range", store.read(digest, { start: 0, end: 0 })],
          // Release without abort: a temporary file wrongly created stays for the fingerprint to see.
          ["begin", store.begin(digest).pipe(Effect.tap((write) => write.release))],
          ["remove", store.remove(digest)],
          ["check", store.check(digest)]
        ]
        const outcomes: Record<string, string> = {}
        const expected: Record<string, string> = {}
        for (const digest of invalidDigests) {
          for (const [method, call] of calls(digest)) {
            const key = `${method}(${JSON.stringify(digest)})`
            outcomes[key] = yield* outcomeOf(call)
            expected[key] = "BlobStoreError"
          }
        }
        expect(outcomes).toEqual(expected)

        if (medium !== null && before !== null) expect(yield* medium.fingerprint).toBe(before)
        yield* expectVisible(store, keptDigest, kept)
        expect(yield* listedBlobs(store)).toEqual([{ digest: keptDigest, size: 100 }])
      }))

    it.scopedLive("remove makes a blob disappear, and removing again or removing what never was succeeds", () =>
      Effect.gen(function*() {
        const { medium, store } = yield* fresh
        const bytes = randomBytes(1_000)
        const other = randomBytes(500)
        const digest = yield* put(store, [bytes])
        const otherDigest = yield* put(store, [other])

        yield* store.remove(digest)
        yield* expectAbsent(store, digest)
        yield* store.remove(digest)
        yield* store.remove(digestOf(randomBytes(10)))
        yield* expectAbsent(store, digest)

        yield* expectVisible(store, otherDigest, other)
        expect(yield* listedBlobs(store)).toEqual([{ digest: otherDigest, size: 500 }])
        if (medium !== null) expect(yield* medium.files).toEqual([medium.blobFile(otherDigest)])
      }))

    it.scopedLive("list says when each blob was stored, so collection can spare young files", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        const before = Date.now()
        const bytes = Buffer.from("stored just now")
        const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`
        const write = yield* store.begin(digest)
        yield* write.append(bytes)
        yield* write.commit
        yield* write.release
        const entry = (yield* store.list).find((b) => b.digest === digest)
        expect(entry?.storedAt.getTime()).toBeGreaterThanOrEqual(before - 1000)
        expect(entry?.storedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000)
      }))

    it.scopedLive("list gives each committed blob once with its size", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        expect(yield* listedBlobs(store)).toEqual([])
        const blobs = [randomBytes(10), randomBytes(2_000), randomBytes(1)]
        yield* Effect.forEach(blobs, (b) => put(store, [b]), { discard: true })
        // Writing the same content again is not a second blob.
        yield* Effect.forEach(blobs, (b) => put(store, [b]), { discard: true })
        const byDigest = (a: { readonly digest: string }, b: { readonly digest: string }) => (a.digest < b.digest ? -1 : 1)
        const listed = [...(yield* listedBlobs(store))].sort(byDigest)
        const expected = blobs.map((b) => ({ digest: digestOf(b), size: b.length })).sort(byDigest)
        expect(listed).toEqual(expected)
      }))

    it.scopedLive("check says ok for a stored blob and missing for an absent or removed one", () =>
      Effect.gen(function*() {
        const { store } = yield* fresh
        const digest = yield* put(store, [randomBytes(4_000)])
        expect(yield* store.check(digest)).toBe<BlobCheck>("ok")
        expect(yield* store.check(digestOf(randomBytes(4)))).toBe<BlobCheck>("missing")
        yield* store.remove(digest)
        expect(yield* store.check(digest)).toBe<BlobCheck>("missing")
      }))

    // Only a store on a medium can be corrupted: the port verifies every write at commit and offers no way to
    // change stored bytes, so for an opaque (in-memory) store "corrupt" is unreachable and not tested.
    if (subject._tag === "OnMedium") {
      it.scopedLive("check says corrupt once a stored byte changed behind the store's back", () =>
        Effect.gen(function*() {
          const { medium, store } = yield* subject.fresh
          const bytes = randomBytes(4_000)
          const digest = yield* put(store, [bytes])
          const untouched = yield* put(store, [randomBytes(4_000)])
          yield* medium.corrupt(digest)
          expect(yield* store.check(digest)).toBe<BlobCheck>("corrupt")
          expect(yield* store.check(untouched)).toBe<BlobCheck>("ok")
          // The damage keeps the size, so only re-hashing can find it.
          expect(yield* store.size(digest)).toEqual(Option.some(bytes.length))
        }))
    }

    it.scopedLive("two interleaved writes of the same digest both committing leave one correct blob", () =>
      Effect.gen(function*() {
        const { medium, store } = yield* fresh
        const bytes = randomBytes(64 * 1_024)
        const digest = digestOf(bytes)
        const chunks = chunked(bytes, Array.from({ length: 16 }, () => 4_096))
        const a = yield* store.begin(digest)
        const b = yield* store.begin(digest)
        for (const chunk of chunks) {
          yield* a.append(chunk)
          yield* b.append(chunk)
        }
        yield* Effect.all([a.commit, b.commit], { concurrency: "unbounded", discard: true })
        // Each write still reads back its own bytes after the other one replaced or joined it.
        expect(hexOf(yield* a.readWritten(0, bytes.length))).toBe(hexOf(bytes))
        expect(hexOf(yield* b.readWritten(0, bytes.length))).toBe(hexOf(bytes))
        yield* Effect.all([a.release, b.release], { discard: true })

        yield* expectVisible(store, digest, bytes)
        expect(yield* listedBlobs(store)).toEqual([{ digest, size: bytes.length }])
        expect(yield* store.check(digest)).toBe<BlobCheck>("ok")
        if (medium !== null) expect(yield* medium.files).toEqual([medium.blobFile(digest)])
      }))

    it.scopedLive("several writes of the same digest racing from begin to commit leave one correct blob", () =>
      Effect.gen(function*() {
        const { medium, store } = yield* fresh
        const bytes = randomBytes(256 * 1_024)
        const chunks = chunked(bytes, Array.from({ length: 8 }, () => 32 * 1_024))
        const digests = yield* Effect.all(Array.from({ length: 4 }, () => put(store, chunks)), { concurrency: "unbounded" })
        expect(new Set(digests)).toEqual(new Set([digestOf(bytes)]))
        yield* expectVisible(store, digestOf(bytes), bytes)
        expect(yield* listedBlobs(store)).toHaveLength(1)
        expect(yield* store.check(digestOf(bytes))).toBe<BlobCheck>("ok")
        if (medium !== null) expect(yield* medium.files).toEqual([medium.blobFile(digestOf(bytes))])
      }))

    it.scopedLive("a 20 MiB blob written in 64 KiB chunks round-trips", () =>
      Effect.gen(function*() {
        const { medium, store } = yield* fresh
        const size = 20 * 1_024 * 1_024
        const bytes = randomBytes(size)
        const chunks = chunked(bytes, Array.from({ length: size / 65_536 }, () => 65_536))
        expect(chunks).toHaveLength(320)
        const digest = yield* put(store, chunks)

        expect(yield* store.size(digest)).toEqual(Option.some(size))
        // Hash the stream rather than diffing 20 MiB in an assertion; equal digests and lengths mean equal bytes.
        const stream = yield* store.read(digest, null)
        const { hash, length } = yield* Stream.runFold(
          stream,
          { hash: createHash("sha256"), length: 0 },
          (acc, chunk) => ({ hash: acc.hash.update(chunk), length: acc.length + chunk.length })
        )
        expect({ digest: `sha256:${hash.digest("hex")}`, length }).toEqual({ digest, length: size })
        const tail = yield* readBytes(store, digest, { start: size - 65_537, end: size - 1 })
        expect(hexOf(tail)).toBe(hexOf(bytes.subarray(size - 65_537)))
        expect(yield* listedBlobs(store)).toEqual([{ digest, size }])
        expect(yield* store.check(digest)).toBe<BlobCheck>("ok")
        if (medium !== null) {
          expect(yield* medium.files).toEqual([medium.blobFile(digest)])
          expect((yield* medium.permissions(medium.blobFile(digest))).toString(8)).toBe("600")
        }
      }))
  })
}
