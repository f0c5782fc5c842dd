import { Context, Data, Deferred, Effect, Exit, Layer, Metric, Option, Ref, Stream, SubscriptionRef } from "effect"
import { bytesFetched, coalescedWaiters, downloadsInFlight } from "../metrics.js"
import { BlobStore, type BlobStoreError, type BlobWrite, type DigestMismatch } from "../ports/BlobStore.js"
import type { UpstreamBlob, UpstreamError } from "../ports/UpstreamRegistry.js"
import { NodeStreamBridge } from "./NodeStreamBridge.js"

/** A shared download failed after it started: clients following it get their connection aborted. */
export class DownloadFailed extends Data.TaggedError("DownloadFailed")<{ readonly digest: string; readonly reason: string }> {}

interface Progress {
  readonly written: number
  readonly status: "running" | "done" | "failed"
  readonly reason: string
}

interface Download {
  readonly digest: string
  /** The group whose request started it, whose upstream credentials fetched it. */
  readonly startedBy: number
  readonly size: number
  readonly write: BlobWrite
  readonly progress: SubscriptionRef.SubscriptionRef<Progress>
  readonly followers: Ref.Ref<number>
}

/** How a download began: upstream's answer, and what to record once the bytes are durable. */
export interface DownloadStart<E, R> {
  readonly fetch: Effect.Effect<UpstreamBlob, UpstreamError>
  /** Runs after the verified bytes are in place, before any follower receives its last byte. */
  readonly onStored: Effect.Effect<void, E, R>
}

export interface SharedBlob {
  readonly size: number
  readonly body: Stream.Stream<Uint8Array, DownloadFailed | BlobStoreError>
  /** True for the request that started the transfer; false for those that joined it. */
  readonly started: boolean
  readonly startedBy: number
  /** Succeeds once the bytes are verified and stored, fails if the download failed. */
  readonly completed: Effect.Effect<void, DownloadFailed>
}

export interface BlobDownloadsShape {
  /**
   * The blob's bytes from the one transfer of `digest` in this process: starts it if none runs, else joins
   * it from byte 0. The transfer runs on its own fiber: clients that go away do not stop it.
   */
  readonly fetch: <E, R>(digest: string, groupId: number, start: DownloadStart<E, R>) => Effect.Effect<SharedBlob, UpstreamError | BlobStoreError, R>
  /** Transfers in progress, for metrics. */
  readonly inFlight: Effect.Effect<number>
}

export class BlobDownloads extends Context.Tag("dependency-proxy/BlobDownloads")<BlobDownloads, BlobDownloadsShape>() {}

const CHUNK = 256 * 1024

/** Follows a download: reads what has been written, waits for more, holds the last byte until verified. */
const follow = (d: Download): Stream.Stream<Uint8Array, DownloadFailed | BlobStoreError> => {
  const allowedEnd = (p: Progress) => (p.status === "done" ? d.size : Math.min(p.written, Math.max(0, d.size - 1)))
  const next = (position: number) =>
    d.progress.changes.pipe(
      Stream.filter((p) => p.status !== "running" || allowedEnd(p) > position),
      Stream.runHead,
      Effect.flatMap((p) => Option.isNone(p) ? Effect.dieMessage("download progress ended without a final state") : Effect.succeed(p.value)),
      Effect.flatMap((p): Effect.Effect<Option.Option<readonly [Uint8Array, number]>, DownloadFailed | BlobStoreError> => {
        if (p.status === "failed") return Effect.fail(new DownloadFailed({ digest: d.digest, reason: p.reason }))
        const end = allowedEnd(p)
        if (position >= end) return Effect.succeed(Option.none())
        return d.write.readWritten(position, Math.min(end, position + CHUNK)).pipe(
          Effect.map((chunk) => Option.some([chunk, position + chunk.length] as const))
        )
      })
    )
  return Stream.unfoldEffect(0, next)
}

export const BlobDownloadsLayer = Layer.effect(
  BlobDownloads,
  Effect.gen(function*() {
    const store = yield* BlobStore
    const bridge = yield* NodeStreamBridge
    // Per digest, a placeholder while the upstream request is being made, then the running download.
    const running = yield* Ref.make(new Map<string, Deferred.Deferred<Download, UpstreamError | BlobStoreError>>())

    const releaseIfIdle = (d: Download) =>
      Effect.gen(function*() {
        const p = yield* SubscriptionRef.get(d.progress)
        const n = yield* Ref.get(d.followers)
        if (p.status !== "running" && n === 0) yield* d.write.release
      })

    const pump = <E, R>(d: Download, body: UpstreamBlob["body"], onStored: Effect.Effect<void, E, R>) =>
      bridge.chunks(body).pipe(
        Stream.runForEach((chunk) =>
          d.write.append(chunk).pipe(
            Effect.zipRight(Metric.incrementBy(bytesFetched, chunk.length)),
            Effect.zipRight(d.write.written),
            Effect.flatMap((written) => SubscriptionRef.update(d.progress, (p) => ({ ...p, written })))
          )
        ),
        Effect.zipRight(d.write.written),
        Effect.flatMap((written) =>
          written === d.size
            ? Effect.void
            : Effect.fail(new DownloadFailed({ digest: d.digest, reason: `upstream sent ${written} of ${d.size} bytes` }))
        ),
        Effect.zipRight(d.write.commit),
        Effect.zipRight(onStored),
        Effect.onExit((exit) =>
          Effect.gen(function*() {
            yield* Metric.incrementBy(downloadsInFlight, -1)
            if (Exit.isFailure(exit)) yield* d.write.abort
            const reason = Exit.isFailure(exit) ? describe(exit) : ""
            const status: Progress["status"] = Exit.isSuccess(exit) ? "done" : "failed"
            yield* SubscriptionRef.update(d.progress, (p) => ({ ...p, status, reason }))
            yield* Ref.update(running, (m) => {
              const next = new Map(m)
              next.delete(d.digest)
              return next
            })
            yield* releaseIfIdle(d)
            if (Exit.isFailure(exit)) yield* Effect.logWarning("blob download failed", { digest: d.digest, reason })
          })
        ),
        Effect.ignore
      )

    const join = (d: Download, started: boolean): SharedBlob => ({
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

    const fetch = <E, R>(digest: string, groupId: number, start: DownloadStart<E, R>) =>
      Effect.gen(function*() {
        const mine = yield* Deferred.make<Download, UpstreamError | BlobStoreError>()
        const existing = yield* Ref.modify(running, (m) => {
          const found = m.get(digest)
          return found === undefined ? [undefined, new Map(m).set(digest, mine)] : [found, m]
        })
        if (existing !== undefined) {
          yield* Metric.increment(coalescedWaiters)
          return join(yield* Deferred.await(existing), false)
        }
        const begun = yield* Effect.gen(function*() {
          const upstream = yield* start.fetch
          const write = yield* store.begin(digest).pipe(Effect.tapError(() => bridge.discard(upstream.body)))
          const progress = yield* SubscriptionRef.make<Progress>({ written: 0, status: "running", reason: "" })
          const download: Download = { digest, startedBy: groupId, size: upstream.size, write, progress, followers: yield* Ref.make(0) }
          return { download, upstream }
        }).pipe(
          Effect.tapError((error) =>
            Deferred.fail(mine, error).pipe(
              Effect.zipRight(Ref.update(running, (m) => {
                const next = new Map(m)
                next.delete(digest)
                return next
              }))
            )
          )
        )
        yield* Deferred.succeed(mine, begun.download)
        yield* Metric.increment(downloadsInFlight)
        yield* Effect.forkDaemon(pump(begun.download, begun.upstream.body, start.onStored))
        return join(begun.download, true)
      })

    return {
      fetch,
      inFlight: Ref.get(running).pipe(Effect.map((m) => m.size))
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
