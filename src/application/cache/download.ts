import { Data, Deferred, Effect, Ref, SubscriptionRef } from "effect"
import type { BlobStoreError } from "../ports/BlobStore.js"
import { ChunkWindow } from "./ChunkWindow.js"
import { SharedReads } from "./SharedReads.js"

/** A shared download failed after it started: clients following it get their connection aborted. */
export class DownloadFailed extends Data.TaggedError("DownloadFailed")<{ readonly digest: string; readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

export interface Progress {
  /**
   * Bytes readable, from the window or the current source; drops back to 0 when the transfer starts over
   * elsewhere.
   */
  readonly written: number
  readonly status: "running" | "done" | "failed"
  /**
   * Every byte is there and they hash to the digest: followers may have the last byte, before the store has
   * made them durable and the cache recorded them ("done"). A failure after this does not cut them off.
   */
  readonly verified: boolean
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
  /**
   * Completed (and replaced) on every change of `progress`: a follower that caught up waits on it, which
   * costs far less than a subscription to `progress` per wait, 32 followers waiting once per run.
   */
  readonly changed: Ref.Ref<Deferred.Deferred<void>>
  readonly followers: Ref.Ref<number>
  /** The newest chunks of a transfer this process makes, for its followers; empty when following elsewhere. */
  readonly window: ChunkWindow
  /** Blocks read back from the source for followers behind the window, shared by them. */
  readonly rereads: SharedReads<BlobStoreError>
}

/** The lease that makes one process of several the one that transfers `digest`. */
export const blobLease = (digest: string) => `blob:${digest}`

export const running: Progress = { written: 0, status: "running", verified: false, reason: "" }

/**
 * How many of a transfer's newest bytes stay in memory for its followers. Followers pulling at socket speed
 * stay within a chunk or two of the transfer; 16 MiB lets one fall behind by a moment's stall of its client
 * before it reads from the store instead.
 */
export const WINDOW_BYTES = 16 * 1024 * 1024

/** Blocks read back from the store that stay for the other followers behind the window (8 MiB). */
const SHARED_READ_BLOCKS = 8

export const makeDownload = (digest: string, startedBy: number, size: number, source: Source) =>
  Effect.all({
    sources: Ref.make<ReadonlyArray<Source>>([source]),
    progress: SubscriptionRef.make(running),
    changed: Deferred.make<void>().pipe(Effect.flatMap((first) => Ref.make(first))),
    followers: Ref.make(0)
  }).pipe(
    Effect.map((refs): Download => ({
      digest,
      startedBy,
      size,
      ...refs,
      window: new ChunkWindow(WINDOW_BYTES),
      rereads: new SharedReads<BlobStoreError>(SHARED_READ_BLOCKS)
    }))
  )

/** Changes the progress, then wakes the followers waiting for a change (in that order: none misses it). */
export const updateProgress = (d: Download, f: (p: Progress) => Progress) =>
  SubscriptionRef.update(d.progress, f).pipe(
    Effect.zipRight(Deferred.make<void>()),
    Effect.flatMap((next) => Ref.getAndSet(d.changed, next)),
    Effect.flatMap((previous) => Deferred.succeed(previous, undefined)),
    Effect.asVoid
  )

/**
 * Reads from `next` from now on; the previous sources stay open until the download is idle. The window goes:
 * its bytes belonged to the attempt being replaced.
 */
export const switchSource = (d: Download, next: Source) =>
  Effect.sync(() => {
    d.window.clear()
    d.rereads.clear()
  }).pipe(Effect.zipRight(Ref.update(d.sources, (all) => [...all, next])))

/** Frees the sources once the download has ended and nobody follows it any more. */
export const releaseIfIdle = (d: Download) =>
  Effect.gen(function*() {
    const p = yield* SubscriptionRef.get(d.progress)
    const n = yield* Ref.get(d.followers)
    if (p.status === "running" || n > 0) return
    d.window.clear()
    d.rereads.clear()
    // Release is idempotent: the last two followers leaving at once may both get here.
    yield* Effect.forEach(yield* Ref.get(d.sources), (s) => s.release, { discard: true })
  })
