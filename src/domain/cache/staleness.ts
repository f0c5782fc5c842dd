import type { Reference } from "../registry/RegistryPath.js"

/** What the cache holds for a reference: the manifest's identity and when upstream last confirmed it. */
export interface CachedManifestEntry {
  readonly digest: string
  readonly mediaType: string
  /** When an upstream HEAD or GET last agreed with this entry; null if never in this process. */
  readonly checkedAt: Date | null
}

/** What the cache knows about the upstream before asking it anything (ADR 0012). */
export interface UpstreamKnowledge {
  /** The upstream's breaker refuses calls now: open, or its one probe already under way. */
  readonly refusing: boolean
  /** Upstream answered 404 for this tag a short while ago, for this group: remembered rather than asked again. */
  readonly knownMissing: boolean
}

export const NOTHING_KNOWN: UpstreamKnowledge = { refusing: false, knownMissing: false }

/** First step for a manifest request, before any upstream call. */
export type ManifestPlan =
  /** Serve the cached copy with no upstream call. */
  | { readonly _tag: "ServeCached" }
  /** Cached by tag: ask upstream with a HEAD whether the tag still points at the same manifest. */
  | { readonly _tag: "CheckUpstream" }
  /** Not cached: GET it. */
  | { readonly _tag: "Fetch" }
  /** Cached by tag, and the upstream's breaker is open: serve the cached copy at once, unchecked. */
  | { readonly _tag: "ServeStale" }
  /** Not cached, and upstream said 404 for the tag moments ago. */
  | { readonly _tag: "ManifestUnknown" }
  /** Not cached, and the upstream's breaker is open: 503 at once. */
  | { readonly _tag: "UpstreamUnavailable" }

/**
 * The staleness rule, step one (SPEC §5). A digest names immutable content: cached means served, no upstream
 * call at all. A tag is checked with a HEAD, unless it was confirmed within the group's check interval, or the
 * upstream's breaker is open (then the cached copy is all there is). What is cached always wins over a
 * remembered 404: the tag may have been cached since, by another replica or another request.
 */
export const planManifest = (
  reference: Reference,
  cached: CachedManifestEntry | null,
  now: Date,
  checkIntervalSeconds: number,
  upstream: UpstreamKnowledge
): ManifestPlan => {
  if (cached === null) {
    if (reference._tag === "Tag" && upstream.knownMissing) return { _tag: "ManifestUnknown" }
    return upstream.refusing ? { _tag: "UpstreamUnavailable" } : { _tag: "Fetch" }
  }
  if (reference._tag === "Digest") return { _tag: "ServeCached" }
  const fresh = checkIntervalSeconds > 0 &&
    cached.checkedAt !== null &&
    now.getTime() - cached.checkedAt.getTime() < checkIntervalSeconds * 1000
  if (fresh) return { _tag: "ServeCached" }
  return upstream.refusing ? { _tag: "ServeStale" } : { _tag: "CheckUpstream" }
}

/** What the upstream HEAD said. */
export type HeadOutcome =
  | { readonly _tag: "Found"; readonly digest: string; readonly mediaType: string }
  | { readonly _tag: "NotFound" }
  /** Unreachable, timed out, 5xx, 429, its token endpoint failed, or no answer within the revalidation budget. */
  | { readonly _tag: "Unavailable" }

export type AfterHead =
  | { readonly _tag: "ServeCached" }
  | { readonly _tag: "Fetch" }
  /** Serve the cached copy although upstream could not confirm it (stale-if-error, or the group's option). */
  | { readonly _tag: "ServeStale" }
  | { readonly _tag: "ManifestUnknown" }

/**
 * Step two, for a cached tag after the HEAD: the same digest and media type means the cached copy is
 * current (no GET, which Docker Hub would count); a different one means fetch the new manifest. An upstream
 * that cannot answer never makes a cached image unpullable. A 404 does, unless the group opted to serve
 * stale copies of tags deleted upstream.
 */
export const afterHead = (cached: CachedManifestEntry, outcome: HeadOutcome, serveStaleOnNotFound: boolean): AfterHead => {
  switch (outcome._tag) {
    case "Found":
      return outcome.digest === cached.digest && outcome.mediaType === cached.mediaType ? { _tag: "ServeCached" } : { _tag: "Fetch" }
    case "Unavailable":
      return { _tag: "ServeStale" }
    case "NotFound":
      return serveStaleOnNotFound ? { _tag: "ServeStale" } : { _tag: "ManifestUnknown" }
  }
}

/** How an upstream GET failed. */
export type FetchFailure = { readonly _tag: "NotFound" } | { readonly _tag: "Unavailable" } | { readonly _tag: "Invalid" }

export type AfterFetchFailure =
  | { readonly _tag: "ServeStale" }
  | { readonly _tag: "ManifestUnknown" }
  /** 502/503 with an OCI body: nothing cached to fall back on. */
  | { readonly _tag: "UpstreamUnavailable" }
  | { readonly _tag: "UpstreamInvalid" }

/** Step three, when the GET failed: fall back on a cached copy whenever there is one and the rule allows. */
export const afterFetchFailure = (
  cached: CachedManifestEntry | null,
  failure: FetchFailure,
  serveStaleOnNotFound: boolean
): AfterFetchFailure => {
  if (cached !== null && (failure._tag !== "NotFound" || serveStaleOnNotFound)) return { _tag: "ServeStale" }
  switch (failure._tag) {
    case "NotFound":
      return { _tag: "ManifestUnknown" }
    case "Unavailable":
      return { _tag: "UpstreamUnavailable" }
    case "Invalid":
      return { _tag: "UpstreamInvalid" }
  }
}
