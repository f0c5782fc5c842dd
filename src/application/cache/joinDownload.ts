import { Chunk, Deferred, Effect, Option, Ref, Stream, SubscriptionRef } from "effect"
import type { BlobStoreError } from "../ports/BlobStore.js"
import { type Download, DownloadFailed, type Progress, releaseIfIdle } from "./download.js"

// Reads behind the window are of 1 MiB blocks: each one costs a fiber hop and a buffer.
const CHUNK = 1024 * 1024

const currentSource = (d: Download) =>
  Ref.get(d.sources).pipe(Effect.flatMap((all) => {
    const last = all.at(-1)
    return last === undefined ? Effect.dieMessage("a download without a source") : Effect.succeed(last)
  }))

/**
 * Follows a download: takes what is there (from the window in memory if it still holds the position, else
 * from the source by position), waits for more, holds the last byte until verified.
 */
const follow = (d: Download): Stream.Stream<Uint8Array, DownloadFailed | BlobStoreError> => {
  const allowedEnd = (p: Progress) => (p.status === "done" || p.verified ? d.size : Math.min(p.written, Math.max(0, d.size - 1)))
  const ready = (p: Progress, position: number) => p.status !== "running" || allowedEnd(p) > position
  // A follower behind the writer has bytes to read already: only one that caught up waits for a change. The
  // latch is taken before progress is read, so a change between the two completes the latch it waits on.
  const progressFor = (position: number): Effect.Effect<Progress> =>
    Effect.gen(function*() {
      for (;;) {
        const latch = yield* Ref.get(d.changed)
        const now = yield* SubscriptionRef.get(d.progress)
        if (ready(now, position)) return now
        yield* Deferred.await(latch)
      }
    })
  const next = (position: number) =>
    progressFor(position).pipe(
      Effect.flatMap((p): Effect.Effect<Option.Option<readonly [Chunk.Chunk<Uint8Array>, number]>, DownloadFailed | BlobStoreError> => {
        if (p.status === "failed" && !p.verified) return Effect.fail(new DownloadFailed({ digest: d.digest, reason: p.reason }))
        const end = allowedEnd(p)
        if (position >= end) return Effect.succeed(Option.none())
        const inMemory = d.window.slice(position, end)
        if (inMemory !== null) {
          const length = inMemory.reduce((n, c) => n + c.length, 0)
          return Effect.succeed(Option.some([Chunk.unsafeFromArray(inMemory), position + length] as const))
        }
        // Behind the window: the store holds everything before its start. A whole block there is read once
        // for every follower behind; the rest (a block the window or the writer has not passed) per follower.
        const block = position - (position % CHUNK)
        const shared = block + CHUNK <= Math.min(end, d.window.start)
        return currentSource(d).pipe(
          Effect.flatMap((source) =>
            shared
              ? d.rereads.block(block, source.read(block, block + CHUNK)).pipe(Effect.map((bytes) => {
                // Short: the source was replaced under the read (below). Not a block to share.
                if (bytes.length < CHUNK) d.rereads.clear()
                return bytes.subarray(position - block)
              }))
              : source.read(position, Math.min(end, d.window.start, position + CHUNK))
          ),
          // No bytes where progress promised some: the source was replaced between the two reads (another
          // replica started over). Look again shortly; the progress of the new source says what is there.
          Effect.flatMap((chunk) =>
            chunk.length > 0 ? Effect.succeed(chunk) : Effect.sleep("20 millis").pipe(Effect.as(chunk))
          ),
          Effect.map((chunk) => Option.some([Chunk.of(chunk), position + chunk.length] as const))
        )
      })
    )
  return Stream.unfoldChunkEffect(0, next).pipe(Stream.filter((chunk) => chunk.length > 0))
}

export interface SharedBlob {
  readonly size: number
  readonly body: Stream.Stream<Uint8Array, DownloadFailed | BlobStoreError>
  /** True for the request that made this process start or follow the transfer; false for those that joined it. */
  readonly started: boolean
  readonly startedBy: number
  /** Succeeds once the bytes are verified and stored, fails if the download failed. */
  readonly completed: Effect.Effect<void, DownloadFailed>
}

/** A request's view of a download: its bytes from byte 0, counted as a follower while it reads. */
export const joinDownload = (d: Download, started: boolean): SharedBlob => ({
  size: d.size,
  started,
  startedBy: d.startedBy,
  completed: d.progress.changes.pipe(
    Stream.filter((p) => p.status !== "running"),
    Stream.runHead,
    Effect.flatMap((p) =>
      Option.isSome(p) && p.value.status === "done"
        ? Effect.void
        : Effect.fail(new DownloadFailed({ digest: d.digest, reason: Option.isSome(p) ? p.value.reason : "ended" }))
    )
  ),
  body: Stream.unwrapScoped(
    Effect.acquireRelease(
      Ref.update(d.followers, (n) => n + 1),
      () => Ref.update(d.followers, (n) => n - 1).pipe(Effect.zipRight(releaseIfIdle(d)))
    ).pipe(Effect.as(follow(d)))
  )
})
