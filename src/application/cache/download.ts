import { Data, Effect, Option, Ref, Stream, SubscriptionRef } from "effect"
import type { BlobStoreError } from "../ports/BlobStore.js"

/** A shared download failed after it started: clients following it get their connection aborted. */
export class DownloadFailed extends Data.TaggedError("DownloadFailed")<{ readonly digest: string; readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

export interface Progress {
  /** Bytes readable from the current source; drops back to 0 when the transfer starts over elsewhere. */
  readonly written: number
  readonly status: "running" | "done" | "failed"
  readonly reason: string
}

/** Where a download's bytes so far are read from: this process's write, or a file another replica writes. */
export interface Source {
  /** Bytes `[start, end)` of what is there now. */
  readonly read: (start: number, end: number) => Effect.Effect<Uint8Array, BlobStoreError>
  /** Frees what reading needed (a file handle); called once nobody reads from this source any more. */
  readonly release: Effect.Effect<void>
}

/** One blob being brought into the store, as the requests of this process see it. */
export interface Download {
  readonly digest: string
  /** The group whose request started it in this process. */
  readonly startedBy: number
  readonly size: number
  /** Every source it has read from, the current one last; kept open until idle, as a reader may still use one. */
  readonly sources: Ref.Ref<ReadonlyArray<Source>>
  readonly progress: SubscriptionRef.SubscriptionRef<Progress>
  readonly followers: Ref.Ref<number>
}

/** The lease that makes one process of several the one that transfers `digest`. */
export const blobLease = (digest: string) => `blob:${digest}`

export const running: Progress = { written: 0, status: "running", reason: "" }

export const makeDownload = (digest: string, startedBy: number, size: number, source: Source) =>
  Effect.all({ sources: Ref.make<ReadonlyArray<Source>>([source]), progress: SubscriptionRef.make(running), followers: Ref.make(0) }).pipe(
    Effect.map((refs): Download => ({ digest, startedBy, size, ...refs }))
  )

/** Reads from `next` from now on; the previous sources stay open until the download is idle. */
export const switchSource = (d: Download, next: Source) => Ref.update(d.sources, (all) => [...all, next])

const currentSource = (d: Download) =>
  Ref.get(d.sources).pipe(Effect.flatMap((all) => {
    const last = all.at(-1)
    return last === undefined ? Effect.dieMessage("a download without a source") : Effect.succeed(last)
  }))

/** Frees the sources once the download has ended and nobody follows it any more. */
export const releaseIfIdle = (d: Download) =>
  Effect.gen(function*() {
    const p = yield* SubscriptionRef.get(d.progress)
    const n = yield* Ref.get(d.followers)
    if (p.status === "running" || n > 0) return
    // Release is idempotent: the last two followers leaving at once may both get here.
    yield* Effect.forEach(yield* Ref.get(d.sources), (s) => s.release, { discard: true })
  })

// Reads of 1 MiB: each one costs a fiber hop and a buffer, and 32 followers make 32 of them per step.
const CHUNK = 1024 * 1024

/** Follows a download: reads what has been written, waits for more, holds the last byte until verified. */
const follow = (d: Download): Stream.Stream<Uint8Array, DownloadFailed | BlobStoreError> => {
  const allowedEnd = (p: Progress) => (p.status === "done" ? d.size : Math.min(p.written, Math.max(0, d.size - 1)))
  const ready = (p: Progress, position: number) => p.status !== "running" || allowedEnd(p) > position
  // A follower behind the writer has bytes to read already: only one that caught up subscribes and waits.
  const progressFor = (position: number) =>
    SubscriptionRef.get(d.progress).pipe(Effect.flatMap((now) =>
      ready(now, position) ? Effect.succeed(now) : d.progress.changes.pipe(
        Stream.filter((p) => ready(p, position)),
        Stream.runHead,
        Effect.flatMap((p) => Option.isNone(p) ? Effect.dieMessage("download progress ended without a final state") : Effect.succeed(p.value))
      )
    ))
  const next = (position: number) =>
    progressFor(position).pipe(
      Effect.flatMap((p): Effect.Effect<Option.Option<readonly [Uint8Array, number]>, DownloadFailed | BlobStoreError> => {
        if (p.status === "failed") return Effect.fail(new DownloadFailed({ digest: d.digest, reason: p.reason }))
        const end = allowedEnd(p)
        if (position >= end) return Effect.succeed(Option.none())
        return currentSource(d).pipe(
          Effect.flatMap((source) => source.read(position, Math.min(end, position + CHUNK))),
          // No bytes where progress promised some: the source was replaced between the two reads (another
          // replica started over). Look again shortly; the progress of the new source says what is there.
          Effect.flatMap((chunk) =>
            chunk.length > 0 ? Effect.succeed(chunk) : Effect.sleep("20 millis").pipe(Effect.as(chunk))
          ),
          Effect.map((chunk) => Option.some([chunk, position + chunk.length] as const))
        )
      })
    )
  return Stream.unfoldEffect(0, next).pipe(Stream.filter((chunk) => chunk.length > 0))
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
    Effect.acquireRelease(Ref.update(d.followers, (n) => n + 1), () =>
      Ref.update(d.followers, (n) => n - 1).pipe(Effect.zipRight(releaseIfIdle(d)))).pipe(Effect.as(follow(d)))
  )
})
