import { Schema } from "effect"

const GroupId = Schema.Int.pipe(Schema.positive())
const Digest = Schema.String.pipe(Schema.pattern(/^sha256:[a-f0-9]{64}$/))

/**
 * Stream `manifest-<groupId>/<image>`: the manifests cached for one image through one group. The bytes live
 * in the blob store under their digest; events carry only what identifies them.
 */
export const ManifestCached = Schema.TaggedStruct("ManifestCached", {
  groupId: GroupId,
  image: Schema.String,
  /** The tag it was pulled by; null when pulled by digest. */
  tag: Schema.NullOr(Schema.String),
  digest: Digest,
  mediaType: Schema.String,
  size: Schema.Int.pipe(Schema.nonNegative())
})
/** Reads of cached entries, recorded at most once per entry per interval (TTL cleanup uses them). */
export const ManifestRead = Schema.TaggedStruct("ManifestRead", { tag: Schema.NullOr(Schema.String), digest: Digest, at: Schema.Date })
/** A cached manifest is dropped (TTL expiry or purge), with every tag that pointed at it. */
export const ManifestExpired = Schema.TaggedStruct("ManifestExpired", {
  digest: Digest,
  tags: Schema.Array(Schema.String),
  reason: Schema.Literal("ttl", "purge")
})
export const ManifestEvent = Schema.Union(ManifestCached, ManifestRead, ManifestExpired)
export type ManifestEvent = typeof ManifestEvent.Type

/** Stream `blob-<groupId>/<digest>`: one group's cache entry for one blob. */
export const BlobCached = Schema.TaggedStruct("BlobCached", {
  groupId: GroupId,
  digest: Digest,
  size: Schema.Int.pipe(Schema.nonNegative()),
  image: Schema.String,
  /** `upstream`: downloaded for this group; `shared`: another group's file, after this group's upstream HEAD. */
  source: Schema.Literal("upstream", "shared")
})
/** The entry's file was missing, the wrong size or corrupt (self-healing, `fsck --repair`): forget it. */
export const BlobForgotten = Schema.TaggedStruct("BlobForgotten", { reason: Schema.String })
export const BlobRead = Schema.TaggedStruct("BlobRead", { at: Schema.Date })
export const BlobEvent = Schema.Union(BlobCached, BlobForgotten, BlobRead)
export type BlobEvent = typeof BlobEvent.Type
