import { Effect, Layer, Option, Stream } from "effect"
import { acceptsIndex, defaultPlatformChild, isIndex } from "../../domain/cache/manifestNegotiation.js"
import { upstreamRepository } from "../../domain/registry/RegistryPath.js"
import type { GroupView } from "../../domain/views.js"
import { LiveView } from "../LiveView.js"
import { BlobStore } from "../ports/BlobStore.js"
import type { EventStore } from "../ports/EventStore.js"
import type { SecretBox } from "../ports/SecretBox.js"
import { BlobUnknown, ImageContent, NameUnknown } from "../ports/ImageContent.js"
import { type UpstreamError, UpstreamRegistry } from "../ports/UpstreamRegistry.js"
import { BlobDownloads } from "./BlobDownloads.js"
import { RegistrySettings } from "../auth/RegistrySettings.js"
import { lookup } from "../metrics.js"
import { forgetBlob, recordBlob, recordBlobRead } from "./cacheEvents.js"
import { watchedUpstream } from "../upstream/credentialHealth.js"
import { manifestCache } from "./manifests.js"
import { readNotes } from "./readNotes.js"
import { storageFailed } from "./storageFailed.js"
import { upstreamCaller } from "./upstreamCaller.js"

/**
 * The pull-through cache (SPEC §5): manifests under the staleness rule (manifests.ts), blobs content-addressed
 * and verified, one upstream transfer per blob, per-group isolation, and self-healing of entries whose file
 * went missing. Scoped: manifest revalidations may outlive their request and end with the service.
 */
export const PullThroughCacheLayer = Layer.scoped(
  ImageContent,
  Effect.gen(function*() {
    const view = yield* LiveView
    const store = yield* BlobStore
    // Every upstream call of the cache goes through the credential-health watch, manifests' included.
    const upstream = yield* watchedUpstream
    const downloads = yield* BlobDownloads
    // The event store and secret box, captured so the port's methods need only the request's metadata.
    const services = yield* Effect.context<EventStore | SecretBox>()
    const recordBlobEntry = (entry: Parameters<typeof recordBlob>[0]) => recordBlob(entry).pipe(Effect.provide(services))
    const settings = yield* RegistrySettings
    const noteRead = yield* readNotes
    const forgetBlobEntry = (groupId: number, digest: string, reason: string) => forgetBlob(groupId, digest, reason).pipe(Effect.provide(services))
    const callerFor = (group: GroupView) => upstreamCaller(group).pipe(Effect.provide(services))
    const manifestFor = yield* manifestCache.pipe(Effect.provideService(UpstreamRegistry, upstream))

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
            file: Option.getOrNull(store.localFile(digest)),
            directUrl: (validUntil: Date, now: Date) => Option.getOrNull(store.directUrl(digest, validUntil, now))
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
          return { digest, size: shared.size, file: null, directUrl: () => null, read: (range: { readonly start: number; readonly end: number } | null) =>
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
