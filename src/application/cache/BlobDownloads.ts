import { Chunk, Context, Deferred, Effect, Exit, Layer, Metric, Option, Ref, Stream } from "effect"
import { bytesFetched, coalescedWaiters, downloadsInFlight } from "../metrics.js"
import { BlobStore, type BlobStoreError, type BlobWrite, type DigestMismatch } from "../ports/BlobStore.js"
import { ClusterLeases } from "../ports/ClusterLeases.js"
import type { UpstreamBlob, UpstreamError } from "../ports/UpstreamRegistry.js"
import { blobLease, type Download, DownloadFailed, makeDownload, type Progress, releaseIfIdle, running, switchSource, updateProgress } from "./download.js"
import { joinDownload, type SharedBlob } from "./joinDownload.js"
import { followElsewhere } from "./followElsewhere.js"

export { DownloadFailed, type SharedBlob }

/** Runs received but not yet in the store; the window keeps them in memory meanwhile. */
const QUEUED_RUNS = 16

/** How a download begins: upstream's answer, and what to record once the bytes are durable. */
export interface DownloadStart<E, R> {
  readonly fetch: Effect.Effect<UpstreamBlob, UpstreamError>
  /**
   * Upstream's size of the blob without its bytes (a HEAD), for following a transfer another replica makes:
   * it also checks that this group may read the blob upstream.
   */
  readonly probe: Effect.Effect<{ readonly size: number }, UpstreamError>
  /** Runs after the verified bytes are in place, before any follower receives its last byte. */
  readonly onStored: Effect.Effect<void, E, R>
}

export interface BlobDownloadsShape {
  /**
   * The blob's bytes from the one transfer of `digest` among the processes sharing the store: starts it if
   * none runs, else joins it from byte 0 (in this process's memory, or by following the file another replica
   * writes). The transfer and its set-up (upstream's answer, the lease) run on fibers of their own: clients that
   * go away do not stop them.
   */
  readonly fetch: <E, R>(digest: string, groupId: number, start: DownloadStart<E, R>) => Effect.Effect<SharedBlob, UpstreamError | BlobStoreError, R>
  /** Transfers in progress, for metrics. */
  readonly inFlight: Effect.Effect<number>
}

export class BlobDownloads extends Context.Tag("dependency-proxy/BlobDownloads")<BlobDownloads, BlobDownloadsShape>() {}

export const BlobDownloadsLayer = Layer.effect(
  BlobDownloads,
  Effect.gen(function*() {
    const store = yield* BlobStore
    const leases = yield* ClusterLeases
    // Per digest, a placeholder while the transfer is being set up, then the download requests join.
    const downloads = yield* Ref.make(new Map<string, Deferred.Deferred<Download, UpstreamError | BlobStoreError>>())
    const forget = (digest: string) =>
      Ref.update(downloads, (m) => {
        const next = new Map(m)
        next.delete(digest)
        return next
      })

    /**
     * Upstream's body in one pass: each run is hashed and handed to the store as it arrives, and goes into the
     * window for the followers at once; the store writes behind, up to QUEUED_RUNS runs, so the upstream
     * socket waits for the disk only when the disk falls that far behind. Once the store holds the body and
     * its bytes hash to the digest the followers may have their last byte; the commit (fsync, rename) and the
     * record follow, and the download ends either way.
     */
    const pump = <E, R>(d: Download, write: BlobWrite, body: UpstreamBlob["body"], onStored: Effect.Effect<void, E, R>, releaseLease: Effect.Effect<void>) =>
      Effect.suspend(() => {
        let received = 0
        const take = (run: ReadonlyArray<Uint8Array>) =>
          Effect.gen(function*() {
            const offset = received
            received += run.reduce((n, c) => n + c.length, 0)
            if (received > d.size) return yield* new DownloadFailed({ digest: d.digest, reason: `upstream sent more than ${d.size} bytes` })
            const stored = yield* write.appendRun(run)
            // Only runs the store holds entirely may leave memory: a follower behind the window reads there.
            d.window.push(offset, run, yield* write.written)
            yield* updateProgress(d, (p) => ({ ...p, written: received }))
            yield* Metric.incrementBy(bytesFetched, received - offset)
            return stored
          })
        const verified = Effect.suspend((): Effect.Effect<void, DownloadFailed | DigestMismatch> =>
          received === d.size
            ? write.verify.pipe(Effect.zipRight(updateProgress(d, (p) => ({ ...p, verified: true }))))
            : Effect.fail(new DownloadFailed({ digest: d.digest, reason: `upstream sent ${received} of ${d.size} bytes` }))
        )
        // Each chunk of upstream's body is a run of its socket reads (≥ 1 MiB, not copied; see UpstreamBlob).
        return Stream.chunks(body).pipe(
          Stream.mapEffect((run) => take(Chunk.toReadonlyArray(run))),
          Stream.buffer({ capacity: QUEUED_RUNS }),
          Stream.runForEach((stored) => stored),
          // The store has every byte (at most QUEUED_RUNS behind upstream, so this wait does not grow with the
          // blob): a store that failed (a full disk) cuts the clients off rather than leaving nothing cached
          // behind a complete response. Not yet durable: the fsync comes with the commit, after the clients.
          Effect.zipRight(verified)
        )
      }).pipe(
        Effect.zipRight(write.commit),
        Effect.zipRight(onStored),
        Effect.onExit((exit) =>
          Effect.gen(function*() {
            yield* Metric.incrementBy(downloadsInFlight, -1)
            if (Exit.isFailure(exit)) yield* write.abort
            // After the commit (or the abort): a replica that takes the lease next finds the file, or nothing.
            yield* releaseLease
            yield* finish(d, exit)
          })
        ),
        Effect.ignore
      )

    const finish = (d: Download, exit: Exit.Exit<unknown, unknown>) =>
      Effect.gen(function*() {
        const reason = Exit.isFailure(exit) ? describe(exit) : ""
        const status: Progress["status"] = Exit.isSuccess(exit) ? "done" : "failed"
        yield* updateProgress(d, (p) => ({ ...p, status, reason }))
        yield* forget(d.digest)
        yield* releaseIfIdle(d)
        if (Exit.isFailure(exit)) yield* Effect.logWarning("blob download failed", { digest: d.digest, reason })
      })

    /**
     * This process transfers the blob (it holds the lease): upstream's GET into a new write. `existing` is a
     * download this process was following elsewhere and now takes over; its followers carry on from where
     * they are once the new transfer gets there.
     */
    const transfer = <E, R>(
      digest: string,
      groupId: number,
      start: DownloadStart<E, R>,
      releaseLease: Effect.Effect<void>,
      existing: Download | null
    ) =>
      Effect.gen(function*() {
        const upstream = yield* start.fetch
        const write = yield* store.begin(digest).pipe(Effect.tapError(() => upstream.discard))
        const source = { read: write.readWritten, release: write.release }
        const d = existing ?? (yield* makeDownload(digest, groupId, upstream.size, source))
        if (existing !== null) {
          yield* switchSource(existing, source)
          yield* updateProgress(existing, () => running)
        }
        yield* Metric.increment(downloadsInFlight)
        yield* Effect.forkDaemon(pump(d, write, upstream.body, start.onStored, releaseLease))
        return d
      }).pipe(Effect.tapError(() => releaseLease))

    const begin = <E, R>(digest: string, groupId: number, start: DownloadStart<E, R>) =>
      Effect.gen(function*() {
        const lease = yield* leases.tryTake(blobLease(digest))
        if (Option.isSome(lease)) {
          // Free because another replica has just finished it? Then the file is there: follow that instead.
          const stored = yield* store.size(digest).pipe(Effect.tapError(() => lease.value))
          if (Option.isNone(stored)) return yield* transfer(digest, groupId, start, lease.value, null)
          yield* lease.value
        }
        // Another replica transfers it (or did): follow its file in the shared store, take over if it goes away.
        const { size } = yield* start.probe
        const d = yield* makeDownload(digest, groupId, size, { read: () => Effect.succeed(new Uint8Array(0)), release: Effect.void })
        yield* Effect.forkDaemon(
          followElsewhere(d, {
            store,
            leases,
            onStored: start.onStored,
            takeOver: (releaseLease) => transfer(digest, groupId, start, releaseLease, d).pipe(Effect.asVoid),
            finish: (exit) => finish(d, exit)
          })
        )
        return d
      })

    /**
     * The transfer's set-up, on a fiber of its own, as the transfer then runs: a client that goes away while
     * upstream has not answered yet must not leave the placeholder unsettled (every later pull of the digest
     * would wait on it) nor the lease taken (every replica would follow a transfer nobody makes). Settled however
     * it ends, a failure or a defect included; the placeholder goes with a failure, so the next pull starts afresh.
     */
    const setUp = <E, R>(mine: Deferred.Deferred<Download, UpstreamError | BlobStoreError>, digest: string, groupId: number, start: DownloadStart<E, R>) =>
      Effect.forkDaemon(
        begin(digest, groupId, start).pipe(
          Effect.exit,
          Effect.flatMap((exit) =>
            Exit.isSuccess(exit)
              ? Deferred.succeed(mine, exit.value)
              : Deferred.failCause(mine, exit.cause).pipe(Effect.zipRight(forget(digest)))
          )
        )
      )

    const fetch = <E, R>(digest: string, groupId: number, start: DownloadStart<E, R>) =>
      Effect.gen(function*() {
        const mine = yield* Deferred.make<Download, UpstreamError | BlobStoreError>()
        // The placeholder is put in and its set-up started without a point between where an interruption could
        // leave it in the map unsettled.
        const existing = yield* Effect.uninterruptible(
          Ref.modify(downloads, (m) => {
            const found = m.get(digest)
            return found === undefined ? [undefined, new Map(m).set(digest, mine)] : [found, m]
          }).pipe(Effect.tap((found) => (found === undefined ? setUp(mine, digest, groupId, start) : Effect.void)))
        )
        if (existing !== undefined) {
          yield* Metric.increment(coalescedWaiters)
          return joinDownload(yield* Deferred.await(existing), false)
        }
        return joinDownload(yield* Deferred.await(mine), true)
      })

    return {
      fetch,
      inFlight: Ref.get(downloads).pipe(Effect.map((m) => m.size))
    }
  })
)

const describe = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.match(exit, {
    onSuccess: () => "",
    onFailure: (cause) => {
      const text = String(cause)
      return text.length > 300 ? `${text.slice(0, 300)}…` : text
    }
  })

export type { DigestMismatch }
