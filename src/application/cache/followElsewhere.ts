import { Effect, Exit, Option, SubscriptionRef } from "effect"
import type { BlobReader, BlobStoreError, BlobStoreShape } from "../ports/BlobStore.js"
import type { ClusterLeasesShape } from "../ports/ClusterLeases.js"
import { blobLease, type Download, DownloadFailed, switchSource, updateProgress } from "./download.js"

/** How often the shared store is looked at: the latency a follower adds, against a stat per tick. */
const TICK_MS = 100
/** How often the holder is checked for being alive (its lease being free), in ticks. */
const LEASE_CHECK_EVERY = 5
/** How often to look for a newer partial file (another replica's new attempt), in ticks. */
const RESCAN_EVERY = 5

export interface Elsewhere<E, R> {
  readonly store: BlobStoreShape
  readonly leases: ClusterLeasesShape
  /** What to record once the other replica has stored the blob. */
  readonly onStored: Effect.Effect<void, E, R>
  /** This process holds the lease now and transfers the blob itself, into the same download. */
  readonly takeOver: (releaseLease: Effect.Effect<void>) => Effect.Effect<void, unknown, R>
  readonly finish: (exit: Exit.Exit<unknown, unknown>) => Effect.Effect<void>
}

const readerSource = (reader: BlobReader) => ({ read: reader.read, release: reader.close })

/**
 * Follows a download another replica makes, through the store they share: the bytes of its partial file as
 * they land, done once the verified blob is in place (the last byte is held until then). If the lease comes
 * free without the blob stored, the holder died or failed, and this process takes the transfer over.
 */
export const followElsewhere = <E, R>(d: Download, elsewhere: Elsewhere<E, R>): Effect.Effect<void, never, R> => {
  const { leases, store } = elsewhere

  /** Done if the blob is stored: its file becomes the source. */
  const stored: Effect.Effect<boolean, BlobStoreError | DownloadFailed> = store.openStored(d.digest).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeed(false),
      onSome: (reader) =>
        Effect.gen(function*() {
          const size = yield* reader.size
          yield* switchSource(d, readerSource(reader))
          if (size !== d.size) return yield* new DownloadFailed({ digest: d.digest, reason: `stored ${size} bytes, upstream says ${d.size}` })
          return true
        })
    }))
  )

  /** The partial file followed now; replaced when a newer attempt appears (after another replica took over). */
  let following: BlobReader | null = null

  const switchTo = (reader: BlobReader) =>
    Effect.suspend(() => {
      following = reader
      return switchSource(d, readerSource(reader))
    })

  /** Looks for the newest partial file; a new one (a new attempt) becomes the source. */
  const rescan = store.openPartial(d.digest).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.void,
      onSome: (reader) => (reader.id === following?.id ? reader.close : switchTo(reader))
    }))
  )

  /** Progress is what the followed file holds. */
  const track = (tick: number) =>
    Effect.gen(function*() {
      if (following === null || tick % RESCAN_EVERY === 0) yield* rescan
      if (following === null) return
      const written = Math.min(d.size, yield* following.size)
      const now = yield* SubscriptionRef.get(d.progress)
      if (now.written !== written) yield* updateProgress(d, (p) => ({ ...p, written }))
    })

  /** Takes the lease if the holder let go of it: the blob is then either stored, or this process fetches it. */
  const holderGone: Effect.Effect<"held" | "stored" | "took over", unknown, R> = leases.tryTake(blobLease(d.digest)).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeed<"held" | "stored" | "took over">("held"),
      onSome: (release) =>
        stored.pipe(
          Effect.tapBoth({ onFailure: () => release, onSuccess: (done) => (done ? release : Effect.void) }),
          Effect.flatMap((done) => (done ? Effect.succeed("stored" as const) : elsewhere.takeOver(release).pipe(Effect.as("took over" as const))))
        )
    }))
  )

  type Outcome = "stored" | "took over"
  const step = (tick: number): Effect.Effect<Outcome | null, unknown, R> =>
    Effect.gen(function*() {
      if (yield* stored) return "stored"
      yield* track(tick)
      if (tick % LEASE_CHECK_EVERY === LEASE_CHECK_EVERY - 1) {
        const outcome = yield* holderGone
        if (outcome !== "held") return outcome
      }
      yield* Effect.sleep(TICK_MS)
      return null
    })
  const loop = Effect.iterate({ tick: 0, outcome: null as Outcome | null }, {
    while: (state) => state.outcome === null,
    body: (state) => step(state.tick).pipe(Effect.map((outcome) => ({ tick: state.tick + 1, outcome })))
  })

  return loop.pipe(
    Effect.flatMap(({ outcome }) => (outcome === "stored" ? elsewhere.onStored.pipe(Effect.as(true)) : Effect.succeed(false))),
    Effect.exit,
    // A takeover's transfer finishes the download itself; otherwise this does.
    Effect.flatMap((exit) => (Exit.isSuccess(exit) && !exit.value ? Effect.void : elsewhere.finish(exit)))
  )
}
