import { Clock, Effect, Option } from "effect"
import { afterFetchFailure, type CachedManifestEntry, planManifest } from "../../domain/cache/staleness.js"
import { type Reference, upstreamRepository } from "../../domain/registry/RegistryPath.js"
import type { CachedManifestView, GroupView } from "../../domain/views.js"
import { RegistrySettings } from "../auth/RegistrySettings.js"
import { CommandMetadata } from "../CommandMetadata.js"
import { LiveView } from "../LiveView.js"
import { lookup } from "../metrics.js"
import { BlobStore } from "../ports/BlobStore.js"
import type { EventStore } from "../ports/EventStore.js"
import { type ContentStorageFailed, type Manifest, ManifestUnknown } from "../ports/ImageContent.js"
import type { SecretBox } from "../ports/SecretBox.js"
import {
  type UpstreamCredentialsRejected,
  type UpstreamError,
  UpstreamInvalid,
  UpstreamRegistry,
  UpstreamUnavailable
} from "../ports/UpstreamRegistry.js"
import { recordManifest, recordManifestRead } from "./cacheEvents.js"
import { manifestBodies } from "./manifestBodies.js"
import { notFoundTags } from "./notFoundTags.js"
import { readNotes } from "./readNotes.js"
import { revalidations } from "./revalidations.js"
import { storageFailed } from "./storageFailed.js"
import { fetchFailure, type Revalidated, revalidateTag } from "./tagRevalidation.js"
import { type LazyCaller, upstreamCaller } from "./upstreamCaller.js"

export type ManifestError = ManifestUnknown | UpstreamUnavailable | UpstreamInvalid | UpstreamCredentialsRejected | ContentStorageFailed

const referenceText = (reference: Reference) => (reference._tag === "Tag" ? reference.tag : reference.digest)
const referenceKey = (reference: Reference) => (reference._tag === "Tag" ? { tag: reference.tag } : { digest: reference.digest })

/** A tag of a group, as upstream answers it: per group and per Docker Hub credentials (they may differ in reach). */
const tagAsAsked = (group: GroupView, image: string, tag: string) =>
  `${group.groupId}/${group.settings.identity ?? ""}/${group.settings.secret?.ciphertext ?? ""}/${image}:${tag}`

/**
 * Manifests under the staleness rule (SPEC §5, ADR 0012). A cached tag is revalidated with one HEAD that has
 * a short budget: past it, the cached copy is served and the check goes on to update the cache for the next
 * pull. While the upstream's breaker is open nothing is asked: cached copies are served, anything else is a
 * 503. A 404 for a tag is remembered a short while per group; what is cached always wins over it.
 */
export const manifestCache = Effect.gen(function*() {
  const view = yield* LiveView
  const store = yield* BlobStore
  const upstream = yield* UpstreamRegistry
  const settings = yield* RegistrySettings
  const services = yield* Effect.context<EventStore | SecretBox>()
  const noteRead = yield* readNotes
  // When upstream last confirmed a cached tag, per process: it only saves HEADs within the check interval.
  const confirmed = new Map<string, Date>()
  const confirmKey = (groupId: number, image: string, tag: string) => `${groupId}/${image}:${tag}`
  const missing = notFoundTags(settings.notFoundTtlMs)
  const checks = revalidations<Revalidated, ContentStorageFailed>(yield* Effect.scope)

  const confirm = (groupId: number, image: string, reference: Reference) =>
    reference._tag === "Tag"
      ? Clock.currentTimeMillis.pipe(Effect.map((now) => void confirmed.set(confirmKey(groupId, image, reference.tag), new Date(now))))
      : Effect.void

  const bodies = manifestBodies(store)

  /**
   * GET from upstream, store, record. Whether that is news (a new digest, a tag that moved) is the manifest
   * stream's decider's to say (`CachedManifests`): a tag fetched again at the same digest records nothing.
   */
  const fetchManifest = (group: GroupView, caller: LazyCaller, image: string, reference: Reference) =>
    Effect.gen(function*() {
      const fetched = yield* caller.pipe(Effect.flatMap((who) => upstream.getManifest(who, upstreamRepository(image), referenceText(reference))))
      yield* bodies.store(fetched.digest, fetched.body).pipe(Effect.mapError((e) => (e._tag === "UpstreamInvalid" ? e : storageFailed(e))))
      yield* recordManifest({
        groupId: group.groupId,
        image,
        tag: reference._tag === "Tag" ? reference.tag : null,
        digest: fetched.digest,
        mediaType: fetched.mediaType,
        size: fetched.body.length
      }).pipe(Effect.provide(services), Effect.mapError(storageFailed))
      yield* confirm(group.groupId, image, reference)
      if (reference._tag === "Tag") missing.forget(tagAsAsked(group, image, reference.tag))
      return { mediaType: fetched.mediaType, digest: fetched.digest, body: fetched.body } satisfies Manifest
    })

  /** The cached copy; if its file is gone (a restore without the files), fetched again by digest. */
  const serveCached = (group: GroupView, caller: LazyCaller, entry: CachedManifestView, mayHeal: boolean) =>
    bodies.read(entry.digest).pipe(
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
          return yield* fetchManifest(group, caller, entry.image, { _tag: "Digest", digest: entry.digest }).pipe(
            Effect.catchTag("UpstreamNotFound", () => Effect.fail(new ManifestUnknown({ image: entry.image, reference: entry.digest })))
          )
        })
      )
    )

  const revalidate = revalidateTag({ upstream, fetchManifest, confirm })

  return (group: GroupView, image: string, reference: Reference): Effect.Effect<Manifest, ManifestError, CommandMetadata> =>
    Effect.gen(function*() {
      const state = yield* view.current.pipe(Effect.mapError(storageFailed))
      // Opened only if this pull asks upstream (upstreamCaller.ts).
      const caller = yield* Effect.cached(upstreamCaller(group).pipe(Effect.provide(services)))
      const entry = Option.getOrNull(state.cachedManifest(group.groupId, image, referenceKey(reference)))
      const nowMs = yield* Clock.currentTimeMillis
      const cached: CachedManifestEntry | null = entry === null ? null : {
        digest: entry.digest,
        mediaType: entry.mediaType,
        checkedAt: reference._tag === "Tag" ? confirmed.get(confirmKey(group.groupId, image, reference.tag)) ?? null : null
      }
      const refusedForMs = yield* upstream.refusal
      const asked = reference._tag === "Tag" ? tagAsAsked(group, image, reference.tag) : null
      const plan = planManifest(reference, cached, new Date(nowMs), group.settings.manifestCheckIntervalSeconds, {
        refusing: refusedForMs !== null,
        knownMissing: asked !== null && missing.has(asked, nowMs)
      })
      const unknown = new ManifestUnknown({ image, reference: referenceText(reference) })

      const fetchOrFallBack = fetchManifest(group, caller, image, reference).pipe(
        Effect.catchTags({
          UpstreamNotFound: (error) => fallBack(error),
          UpstreamUnavailable: (error) => fallBack(error),
          UpstreamInvalid: (error) => fallBack(error)
        })
      )
      const fallBack = (error: UpstreamError): Effect.Effect<Manifest, ManifestError, CommandMetadata> => {
        const next = afterFetchFailure(cached, fetchFailure(error), group.settings.serveStaleOnNotFound)
        if (asked !== null && error._tag === "UpstreamNotFound") missing.remember(asked, nowMs)
        switch (next._tag) {
          case "ServeStale":
            return entry === null ? Effect.fail(unknown) : serveCached(group, caller, entry, false)
          case "ManifestUnknown":
            return Effect.fail(unknown)
          case "UpstreamUnavailable":
            return Effect.fail(error._tag === "UpstreamUnavailable" ? error : new UpstreamUnavailable({ reason: error._tag }))
          case "UpstreamInvalid":
            return Effect.fail(new UpstreamInvalid({ reason: error._tag === "UpstreamInvalid" ? error.reason : error._tag }))
        }
      }

      switch (plan._tag) {
        case "Fetch":
          yield* lookup("manifest", "miss")
          return yield* fetchOrFallBack
        case "ManifestUnknown":
          yield* lookup("manifest", "not_found")
          return yield* unknown
        case "UpstreamUnavailable":
          return yield* new UpstreamUnavailable({
            reason: "the upstream registry's breaker is open",
            refusedByBreaker: true,
            ...(refusedForMs === null ? {} : { retryAfterMs: refusedForMs })
          })
        case "ServeCached":
        case "ServeStale":
        case "CheckUpstream":
          // planManifest answers these only for a cached entry.
          if (entry === null || cached === null) return yield* fetchOrFallBack
      }
      if (plan._tag === "ServeCached") {
        yield* lookup("manifest", "hit")
        return yield* serveCached(group, caller, entry, true)
      }
      if (plan._tag === "ServeStale") {
        yield* lookup("manifest", "stale")
        return yield* serveCached(group, caller, entry, false)
      }
      // CheckUpstream: planManifest only ever asks upstream about tags.
      if (reference._tag === "Digest") return yield* serveCached(group, caller, entry, true)
      const metadata = yield* CommandMetadata
      const check = revalidate(group, caller, image, reference.tag, entry, cached).pipe(Effect.provideService(CommandMetadata, metadata))
      const key = `${confirmKey(group.groupId, image, reference.tag)}@${entry.digest}/${entry.mediaType}`
      const result = yield* checks.await(key, check, settings.revalidationBudgetMs)
      if (Option.isNone(result)) {
        yield* Effect.logDebug("served a cached tag unconfirmed: upstream did not answer within the budget", { image, tag: reference.tag })
        yield* lookup("manifest", "stale")
        return yield* serveCached(group, caller, entry, false)
      }
      switch (result.value._tag) {
        case "Current":
          yield* lookup("manifest", "hit")
          return yield* serveCached(group, caller, entry, true)
        case "Stale":
          yield* lookup("manifest", "stale")
          return yield* serveCached(group, caller, entry, false)
        case "Unknown":
          return yield* unknown
        case "Refreshed":
          yield* lookup("manifest", "miss")
          return result.value.manifest
      }
    })
})
