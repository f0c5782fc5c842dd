import { Clock, Effect, Layer, Option, Stream } from "effect"
import { acceptsIndex, defaultPlatformChild, isIndex } from "../../domain/cache/manifestNegotiation.js"
import { afterFetchFailure, afterHead, type CachedManifestEntry, type FetchFailure, type HeadOutcome, planManifest } from "../../domain/cache/staleness.js"
import { type Reference, upstreamRepository } from "../../domain/registry/RegistryPath.js"
import type { CachedManifestView, GroupView } from "../../domain/views.js"
import type { CommandMetadata } from "../CommandMetadata.js"
import { LiveView } from "../LiveView.js"
import { BlobStore, type BlobStoreError } from "../ports/BlobStore.js"
import type { EventStore, EventStoreUnavailable, VersionConflict } from "../ports/EventStore.js"
import type { SecretBox } from "../ports/SecretBox.js"
import {
  BlobUnknown,
  ContentStorageFailed,
  ImageContent,
  type Manifest,
  ManifestUnknown,
  NameUnknown
} from "../ports/ImageContent.js"
import { type UpstreamCaller, type UpstreamError, UpstreamInvalid, UpstreamRegistry, UpstreamUnavailable } from "../ports/UpstreamRegistry.js"
import { BlobDownloads } from "./BlobDownloads.js"
import { RegistrySettings } from "../auth/RegistrySettings.js"
import { lookup } from "../metrics.js"
import { forgetBlob, recordBlob, recordBlobRead, recordManifest, recordManifestRead } from "./cacheEvents.js"
import { upstreamCaller } from "./upstreamCaller.js"

const storageFailed = (error: BlobStoreError | EventStoreUnavailable | VersionConflict) =>
  new ContentStorageFailed({ reason: error._tag === "VersionConflict" ? "busy" : error.message })

const referenceText = (reference: Reference) => (reference._tag === "Tag" ? reference.tag : reference.digest)
const referenceKey = (reference: Reference) => (reference._tag === "Tag" ? { tag: reference.tag } : { digest: reference.digest })

const headOutcome = (error: UpstreamError): HeadOutcome =>
  error._tag === "UpstreamNotFound" ? { _tag: "NotFound" } : { _tag: "Unavailable" }
const fetchFailure = (error: UpstreamError): FetchFailure =>
  error._tag === "UpstreamNotFound" ? { _tag: "NotFound" } : error._tag === "UpstreamInvalid" ? { _tag: "Invalid" } : { _tag: "Unavailable" }

/**
 * The pull-through cache (SPEC §5): manifests under the staleness rule, blobs content-addressed and verified,
 * one upstream transfer per blob, per-group isolation, and self-healing of entries whose file went missing.
 */
export const PullThroughCacheLayer = Layer.effect(
  ImageContent,
  Effect.gen(function*() {
    const view = yield* LiveView
    const store = yield* BlobStore
    const upstream = yield* UpstreamRegistry
    const downloads = yield* BlobDownloads
    // The event store and secret box, captured so the port's methods need only the request's metadata.
    const services = yield* Effect.context<EventStore | SecretBox>()
    const recordManifestEntry = (entry: Parameters<typeof recordManifest>[0]) => recordManifest(entry).pipe(Effect.provide(services))
    const recordBlobEntry = (entry: Parameters<typeof recordBlob>[0]) => recordBlob(entry).pipe(Effect.provide(services))
    const settings = yield* RegistrySettings
    /**
     * Records a hit for TTL cleanup when the view says one is due; the decider makes concurrent hits agree on
     * one event. Bookkeeping: a failure is logged, never turned into a failed pull.
     */
    const noteRead = <E>(lastReadAt: Date, record: (now: Date) => Effect.Effect<unknown, E, CommandMetadata | EventStore>) =>
      Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) =>
          now - lastReadAt.getTime() < settings.cacheReadIntervalMs
            ? Effect.void
            : record(new Date(now)).pipe(Effect.provide(services), Effect.asVoid)
        ),
        Effect.catchAll((error) => Effect.logWarning("could not record a cache read", error))
      )
    const forgetBlobEntry = (groupId: number, digest: string, reason: string) => forgetBlob(groupId, digest, reason).pipe(Effect.provide(services))
    // When upstream last confirmed a cached tag, per process: it only saves HEADs within the check interval.
    const confirmed = new Map<string, Date>()
    const confirmKey = (groupId: number, image: string, tag: string) => `${groupId}/${image}:${tag}`

    const callerFor = (group: GroupView) => upstreamCaller(group).pipe(Effect.provide(services))

    const readBytes = (digest: string) =>
      store.read(digest, null).pipe(
        Effect.flatMap((stream) => Stream.runCollect(stream)),
        Effect.map((chunks) => Buffer.concat([...chunks]))
      )

    /** Stores a manifest body by digest (idempotent: an identical file may already be there). */
    const storeBytes = (digest: string, body: Uint8Array) =>
      store.size(digest).pipe(Effect.flatMap((existing) =>
        Option.isSome(existing) && existing.value === body.length
          ? Effect.void
          : store.begin(digest).pipe(Effect.flatMap((write) =>
            write.append(body).pipe(
              Effect.zipRight(write.commit),
              // A failed write (disk full) must not leave its temporary file behind; abort is idempotent.
              Effect.onError(() => write.abort),
              Effect.ensuring(write.release),
              Effect.catchTag("DigestMismatch", (e) => Effect.fail(new UpstreamInvalid({ reason: `manifest digest ${e.actual} is not ${e.expected}` })))
            )
          ))
      ))

    /** GET from upstream, store, record. A tag that moved gets a new entry; one that did not, none. */
    const fetchManifest = (group: GroupView, caller: UpstreamCaller, image: string, reference: Reference, cached: CachedManifestView | null) =>
      Effect.gen(function*() {
        const fetched = yield* upstream.getManifest(caller, upstreamRepository(image), referenceText(reference))
        yield* storeBytes(fetched.digest, fetched.body).pipe(Effect.mapError((e) => (e._tag === "UpstreamInvalid" ? e : storageFailed(e))))
        const unchanged = cached !== null && cached.digest === fetched.digest && cached.mediaType === fetched.mediaType
        if (!unchanged) {
          yield* recordManifestEntry({
            groupId: group.groupId,
            image,
            tag: reference._tag === "Tag" ? reference.tag : null,
            digest: fetched.digest,
            mediaType: fetched.mediaType,
            size: fetched.body.length
          }).pipe(Effect.mapError(storageFailed))
        }
        if (reference._tag === "Tag") confirmed.set(confirmKey(group.groupId, image, reference.tag), new Date(yield* Clock.currentTimeMillis))
        return { mediaType: fetched.mediaType, digest: fetched.digest, body: fetched.body } satisfies Manifest
      })

    /** The cached copy; if its file is gone (a restore without the files), fetched again by digest. */
    const serveCached = (group: GroupView, caller: UpstreamCaller, entry: CachedManifestView, mayHeal: boolean) =>
      readBytes(entry.digest).pipe(
        Effect.tap(() =>
          noteRead(entry.lastReadAt, (now) =>
            recordManifestRead(group.groupId, entry.image, entry.digest, entry.tag, now, settings.cacheReadIntervalMs))
        ),
        Effect.map((body): Manifest => ({ mediaType: entry.mediaType, digest: entry.digest, body })),
        Effect.catchAll((error) =>
          Effect.gen(function*() {
            const size = yield* store.size(entry.digest).pipe(Effect.mapError(storageFailed))
            if (Option.isSome(size)) return yield* storageFailed(error)
            if (!mayHeal) return yield* new UpstreamUnavailable({ reason: "the cached manifest's file is missing and upstream is unavailable" })
            yield* Effect.logWarning("cached manifest file missing; fetching it again", { digest: entry.digest })
            return yield* fetchManifest(group, caller, entry.image, { _tag: "Digest", digest: entry.digest }, entry).pipe(
              Effect.catchTag("UpstreamNotFound", () => Effect.fail(new ManifestUnknown({ image: entry.image, reference: entry.digest })))
            )
          })
        )
      )

    const manifestFor = (group: GroupView, image: string, reference: Reference): Effect.Effect<Manifest, ManifestUnknown | UpstreamUnavailable | UpstreamInvalid | ContentStorageFailed, CommandMetadata> =>
      Effect.gen(function*() {
        const state = yield* view.current.pipe(Effect.mapError(storageFailed))
        const caller = yield* callerFor(group)
        const cachedView = Option.getOrNull(state.cachedManifest(group.groupId, image, referenceKey(reference)))
        const now = new Date(yield* Clock.currentTimeMillis)
        const cached: CachedManifestEntry | null = cachedView === null ? null : {
          digest: cachedView.digest,
          mediaType: cachedView.mediaType,
          checkedAt: reference._tag === "Tag" ? confirmed.get(confirmKey(group.groupId, image, reference.tag)) ?? null : null
        }
        const unknown = new ManifestUnknown({ image, reference: referenceText(reference) })
        const fallBack = (error: UpstreamError): Effect.Effect<Manifest, ManifestUnknown | UpstreamUnavailable | UpstreamInvalid | ContentStorageFailed, CommandMetadata> => {
          const next = afterFetchFailure(cached, fetchFailure(error), group.settings.serveStaleOnNotFound)
          switch (next._tag) {
            case "ServeStale":
              return cachedView === null ? Effect.fail(unknown) : serveCached(group, caller, cachedView, false)
            case "ManifestUnknown":
              return Effect.fail(unknown)
            case "UpstreamUnavailable":
              return Effect.fail(new UpstreamUnavailable({ reason: error._tag === "UpstreamUnavailable" ? error.reason : error._tag }))
            case "UpstreamInvalid":
              return Effect.fail(new UpstreamInvalid({ reason: error._tag === "UpstreamInvalid" ? error.reason : error._tag }))
          }
        }
        const fetchOrFallBack = fetchManifest(group, caller, image, reference, cachedView).pipe(
          Effect.catchTags({ UpstreamNotFound: fallBack, UpstreamUnavailable: fallBack, UpstreamInvalid: fallBack })
        )
        const plan = planManifest(reference, cached, now, group.settings.manifestCheckIntervalSeconds)
        if (plan._tag === "Fetch" || cachedView === null || cached === null) {
          yield* lookup("manifest", "miss")
          return yield* fetchOrFallBack
        }
        if (plan._tag === "ServeCached") {
          yield* lookup("manifest", "hit")
          return yield* serveCached(group, caller, cachedView, true)
        }
        const outcome = yield* upstream.headManifest(caller, upstreamRepository(image), referenceText(reference)).pipe(
          Effect.map((head): HeadOutcome => ({ _tag: "Found", digest: head.digest, mediaType: head.mediaType })),
          Effect.catchAll((error) => Effect.succeed(headOutcome(error)))
        )
        const next = afterHead(cached, outcome, group.settings.serveStaleOnNotFound)
        switch (next._tag) {
          case "ServeCached":
            if (reference._tag === "Tag") confirmed.set(confirmKey(group.groupId, image, reference.tag), now)
            yield* lookup("manifest", "hit")
            return yield* serveCached(group, caller, cachedView, true)
          case "ServeStale":
            yield* lookup("manifest", "stale")
            return yield* serveCached(group, caller, cachedView, false)
          case "Fetch":
            yield* lookup("manifest", "miss")
            return yield* fetchOrFallBack
          case "ManifestUnknown":
            return yield* unknown
        }
      })

    return ImageContent.of({
      manifest: (group, image, reference, accept) =>
        manifestFor(group, image, reference).pipe(
          Effect.flatMap((manifest) => {
            // A client that cannot read indexes gets the linux/amd64 image, as from distribution.
            if (!isIndex(manifest.mediaType) || acceptsIndex(accept)) return Effect.succeed(manifest)
            return Option.match(defaultPlatformChild(manifest.body), {
              onNone: () => Effect.succeed(manifest),
              onSome: (child) => manifestFor(group, image, { _tag: "Digest", digest: child })
            })
          })
        ),

      blob: (group, image, digest) =>
        Effect.gen(function*() {
          const state = yield* view.current.pipe(Effect.mapError(storageFailed))
          const entry = state.cachedBlob(group.groupId, digest)
          const onDisk = yield* store.size(digest).pipe(Effect.mapError(storageFailed))
          const serveFile = (size: number) => ({
            digest,
            size,
            read: (range: { readonly start: number; readonly end: number } | null) =>
              Stream.unwrap(store.read(digest, range)),
            file: Option.getOrNull(store.localFile(digest))
          })
          if (Option.isSome(entry)) {
            if (Option.isSome(onDisk) && onDisk.value === entry.value.size) {
              yield* noteRead(entry.value.lastReadAt, (now) => recordBlobRead(group.groupId, digest, now, settings.cacheReadIntervalMs))
              yield* lookup("blob", "hit")
              return serveFile(onDisk.value)
            }
            // Self-healing: the entry's file is missing or the wrong size; forget it and fetch again.
            yield* Effect.logWarning("cached blob file missing or wrong size; fetching it again", { digest })
            if (Option.isSome(onDisk)) yield* store.remove(digest).pipe(Effect.mapError(storageFailed))
            yield* forgetBlobEntry(group.groupId, digest, Option.isSome(onDisk) ? "wrong size" : "missing file").pipe(Effect.mapError(storageFailed))
          }
          const caller = yield* callerFor(group)
          const repository = upstreamRepository(image)
          const notFound = (error: UpstreamError) =>
            error._tag === "UpstreamNotFound" ? new BlobUnknown({ digest }) : error
          const stillOnDisk = Option.isSome(entry) ? Option.none<number>() : onDisk
          if (Option.isSome(stillOnDisk)) {
            // Isolation: another group's file is shared only once upstream lets this group read the blob.
            yield* upstream.headBlob(caller, repository, digest).pipe(Effect.mapError(notFound))
            yield* recordBlobEntry({ groupId: group.groupId, digest, size: stillOnDisk.value, image, source: "shared" }).pipe(Effect.mapError(storageFailed))
            yield* lookup("blob", "shared")
            return serveFile(stillOnDisk.value)
          }
          yield* lookup("blob", "miss")
          const shared = yield* downloads.fetch(digest, group.groupId, {
            fetch: upstream.getBlob(caller, repository, digest),
            probe: upstream.headBlob(caller, repository, digest),
            onStored: Effect.suspend(() =>
              store.size(digest).pipe(
                Effect.flatMap((size) => recordBlobEntry({ groupId: group.groupId, digest, size: Option.getOrElse(size, () => 0), image, source: "upstream" }))
              )
            )
          }).pipe(Effect.mapError((e) => (e._tag === "BlobStoreError" ? storageFailed(e) : notFound(e))))
          if (!shared.started && shared.startedBy !== group.groupId) {
            // Joined another group's download: this group must be able to read the blob upstream too.
            yield* upstream.headBlob(caller, repository, digest).pipe(Effect.mapError(notFound))
            yield* Effect.forkDaemon(shared.completed.pipe(
              Effect.zipRight(recordBlobEntry({ groupId: group.groupId, digest, size: shared.size, image, source: "shared" })),
              Effect.catchAll((error) => Effect.logWarning("could not record a shared blob", { digest, error }))
            ))
          }
          return { digest, size: shared.size, file: null, read: (range: { readonly start: number; readonly end: number } | null) =>
            range === null ? shared.body : sliceStream(shared.body, range) }
        }),

      tags: (group, image) =>
        callerFor(group).pipe(
          Effect.flatMap((caller) => upstream.tags(caller, upstreamRepository(image))),
          Effect.catchTag("UpstreamNotFound", () => Effect.fail(new NameUnknown({ image })))
        )
    })
  })
)

/** The bytes `[start, end]` of a stream, for ranges requested while a blob is still downloading. */
const sliceStream = <E>(stream: Stream.Stream<Uint8Array, E>, range: { readonly start: number; readonly end: number }) =>
  stream.pipe(
    Stream.mapAccum(0, (offset, chunk): readonly [number, Uint8Array] => {
      const from = Math.max(0, range.start - offset)
      const to = Math.min(chunk.length, range.end + 1 - offset)
      return [offset + chunk.length, from < to ? chunk.subarray(from, to) : new Uint8Array(0)]
    }),
    Stream.filter((chunk) => chunk.length > 0)
  )
