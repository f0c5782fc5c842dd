import { createHash } from "node:crypto"
import { Clock, Effect, Layer, Option, Ref, Stream } from "effect"
import { type BlobCheck, type BlobReader, BlobStore, BlobStoreError, type BlobWrite, DigestMismatch, noWritesForPeers } from "../../application/ports/BlobStore.js"

const DIGEST = /^sha256:[a-f0-9]{64}$/

/** Blobs in process memory, for tests of the parts around the store; same contract as the filesystem one. */
export const layer = Layer.effect(
  BlobStore,
  Effect.gen(function*() {
    const blobs = yield* Ref.make(new Map<string, { readonly bytes: Uint8Array; readonly storedAt: Date }>())
    const valid = (digest: string): Effect.Effect<void, BlobStoreError> =>
      DIGEST.test(digest) ? Effect.void : Effect.fail(new BlobStoreError({ message: `not a sha256 digest: ${JSON.stringify(digest)}` }))
    // Writes in progress by digest, newest last, so `openPartial` can follow them as another replica would.
    const partials = new Map<string, Array<{ readonly id: string; readonly bytes: () => Uint8Array }>>()
    let attempts = 0
    const readerOf = (id: string, bytes: () => Uint8Array): BlobReader => ({
      id,
      size: Effect.sync(() => bytes().length),
      read: (start, end) => Effect.sync(() => Uint8Array.from(bytes().subarray(start, end))),
      close: Effect.void
    })
    const get = (digest: string) => Ref.get(blobs).pipe(Effect.map((all) => Option.fromNullable(all.get(digest)?.bytes)))

    const read = (digest: string, range: { readonly start: number; readonly end: number } | null) =>
      valid(digest).pipe(
        Effect.zipRight(get(digest)),
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(new BlobStoreError({ message: `no blob ${digest}` })),
          // A copy: a reader that changes its chunks must not change the stored blob.
          onSome: (bytes) => Effect.succeed(Stream.make(Uint8Array.from(range === null ? bytes : bytes.subarray(range.start, range.end + 1))))
        }))
      )

    const begin = (digest: string) =>
      valid(digest).pipe(Effect.map((): BlobWrite => {
        const chunks: Array<Uint8Array> = []
        let written = 0
        let finished = false
        const bytes = () => Buffer.concat(chunks)
        const id = `${digest}.${++attempts}`
        partials.set(digest, [...(partials.get(digest) ?? []), { id, bytes }])
        const unlist = () => {
          const rest = (partials.get(digest) ?? []).filter((p) => p.id !== id)
          if (rest.length === 0) partials.delete(digest)
          else partials.set(digest, rest)
        }
        const write: BlobWrite = {
          append: (chunk) =>
            Effect.suspend(() => {
              if (finished) return Effect.fail(new BlobStoreError({ message: "the write is already committed or aborted" }))
              chunks.push(Uint8Array.from(chunk))
              written += chunk.length
              return Effect.void
            }),
          appendRun: (run) => Effect.forEach(run, (chunk) => write.append(chunk), { discard: true }).pipe(Effect.as(Effect.void)),
          verify: Effect.suspend(() => {
            const actual = `sha256:${createHash("sha256").update(bytes()).digest("hex")}`
            return actual === digest ? Effect.void : Effect.fail(new DigestMismatch({ expected: digest, actual }))
          }),
          written: Effect.sync(() => written),
          readWritten: (start, end) => Effect.sync(() => bytes().subarray(start, Math.min(end, written))),
          commit: Effect.suspend((): Effect.Effect<void, DigestMismatch | BlobStoreError> => {
            if (finished) return Effect.fail(new BlobStoreError({ message: "the write is already committed or aborted" }))
            finished = true
            unlist()
            const all = bytes()
            const actual = `sha256:${createHash("sha256").update(all).digest("hex")}`
            if (actual !== digest) return write.abort.pipe(Effect.zipRight(Effect.fail(new DigestMismatch({ expected: digest, actual }))))
            return Clock.currentTimeMillis.pipe(
              Effect.flatMap((now) => Ref.update(blobs, (m) => new Map(m).set(digest, { bytes: all, storedAt: new Date(now) })))
            )
          }),
          abort: Effect.sync(() => {
            finished = true
            unlist()
          }),
          release: Effect.void
        }
        return write
      }))

    return {
      size: (digest) => valid(digest).pipe(Effect.zipRight(get(digest)), Effect.map(Option.map((b) => b.length))),
      read,
      // Bytes in memory have no file to send.
      localFile: () => Option.none(),
      directUrl: () => Option.none(),
      begin,
      openPartial: (digest) =>
        valid(digest).pipe(Effect.map(() => Option.map(Option.fromNullable(partials.get(digest)?.at(-1)), (p) => readerOf(p.id, p.bytes)))),
      openWriting: noWritesForPeers,
      openStored: (digest) =>
        valid(digest).pipe(Effect.zipRight(get(digest)), Effect.map(Option.map((bytes) => readerOf(digest, () => bytes)))),
      remove: (digest) => valid(digest).pipe(Effect.zipRight(Ref.update(blobs, (m) => {
        const next = new Map(m)
        next.delete(digest)
        return next
      }))),
      list: Ref.get(blobs).pipe(Effect.map((m) =>
        [...m.entries()].map(([digest, b]) => ({ digest, size: b.bytes.length, storedAt: b.storedAt })).sort((a, b) => (a.digest < b.digest ? -1 : 1))
      )),
      check: (digest) =>
        valid(digest).pipe(Effect.zipRight(get(digest))).pipe(Effect.map(Option.match({
          onNone: (): BlobCheck => "missing",
          onSome: (b): BlobCheck => (`sha256:${createHash("sha256").update(b).digest("hex")}` === digest ? "ok" : "corrupt")
        })))
    }
  })
)
