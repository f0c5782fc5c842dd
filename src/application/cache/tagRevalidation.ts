import { Effect } from "effect"
import { afterFetchFailure, afterHead, type CachedManifestEntry, type FetchFailure, type HeadOutcome } from "../../domain/cache/staleness.js"
import { type Reference, upstreamRepository } from "../../domain/registry/RegistryPath.js"
import type { CachedManifestView, GroupView } from "../../domain/views.js"
import type { CommandMetadata } from "../CommandMetadata.js"
import type { ContentStorageFailed, Manifest } from "../ports/ImageContent.js"
import type { UpstreamError, UpstreamRegistryShape } from "../ports/UpstreamRegistry.js"
import type { LazyCaller } from "./upstreamCaller.js"

/** What the revalidation of a cached tag found, in the background or within the budget. */
export type Revalidated =
  | { readonly _tag: "Current" }
  | { readonly _tag: "Refreshed"; readonly manifest: Manifest }
  /** Upstream could not confirm it: serve the cached copy (stale-if-error). */
  | { readonly _tag: "Stale" }
  | { readonly _tag: "Unknown" }

const headOutcome = (error: UpstreamError): HeadOutcome =>
  error._tag === "UpstreamNotFound" ? { _tag: "NotFound" } : { _tag: "Unavailable" }

export const fetchFailure = (error: UpstreamError): FetchFailure =>
  error._tag === "UpstreamNotFound" ? { _tag: "NotFound" } : error._tag === "UpstreamInvalid" ? { _tag: "Invalid" } : { _tag: "Unavailable" }

export interface RevalidationSteps {
  readonly upstream: UpstreamRegistryShape
  /** GET from upstream, store, record. */
  readonly fetchManifest: (
    group: GroupView,
    caller: LazyCaller,
    image: string,
    reference: Reference
  ) => Effect.Effect<Manifest, UpstreamError | ContentStorageFailed, CommandMetadata>
  /** Notes that upstream confirmed the tag now. */
  readonly confirm: (groupId: number, image: string, reference: Reference) => Effect.Effect<void>
}

/**
 * One HEAD, no retries; a tag that moved is fetched too. Run by `revalidations`, so it may outlive the request
 * that started it: everything it needs comes in with it.
 */
export const revalidateTag = ({ confirm, fetchManifest, upstream }: RevalidationSteps) =>
(group: GroupView, caller: LazyCaller, image: string, tag: string, entry: CachedManifestView, cached: CachedManifestEntry) =>
  Effect.gen(function*() {
    const outcome = yield* caller.pipe(
      Effect.flatMap((who) => upstream.headManifest(who, upstreamRepository(image), tag, { retry: false })),
      Effect.map((head): HeadOutcome => ({ _tag: "Found", digest: head.digest, mediaType: head.mediaType })),
      Effect.catchAll((error) => Effect.succeed(headOutcome(error)))
    )
    const next = afterHead(cached, outcome, group.settings.serveStaleOnNotFound)
    switch (next._tag) {
      case "ServeCached":
        yield* confirm(group.groupId, image, { _tag: "Tag", tag })
        return { _tag: "Current" } satisfies Revalidated
      case "ServeStale":
        return { _tag: "Stale" } satisfies Revalidated
      case "ManifestUnknown":
        return { _tag: "Unknown" } satisfies Revalidated
      case "Fetch": {
        const fetched = yield* fetchManifest(group, caller, image, { _tag: "Tag", tag }).pipe(Effect.either)
        if (fetched._tag === "Right") return { _tag: "Refreshed", manifest: fetched.right } satisfies Revalidated
        if (fetched.left._tag === "ContentStorageFailed") return yield* fetched.left
        const fallback = afterFetchFailure(cached, fetchFailure(fetched.left), group.settings.serveStaleOnNotFound)
        return fallback._tag === "ManifestUnknown" ? { _tag: "Unknown" } satisfies Revalidated : { _tag: "Stale" } satisfies Revalidated
      }
    }
  }).pipe(Effect.tapError((error) => Effect.logWarning("revalidating a cached tag failed", { image, tag, error: error.message })))
