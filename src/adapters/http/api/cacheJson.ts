import type { GroupCache } from "../../../application/cache/groupCache.js"
import type { CachedBlobView, CachedManifestView } from "../../../domain/views.js"
import { isoTime } from "./dates.js"

export const manifestJson = (m: CachedManifestView) => ({
  image: m.image,
  tag: m.tag,
  digest: m.digest,
  media_type: m.mediaType,
  size: m.size,
  created_at: isoTime(m.createdAt),
  last_read_at: isoTime(m.lastReadAt)
})

export const blobJson = (b: CachedBlobView) => ({
  digest: b.digest,
  size: b.size,
  created_at: isoTime(b.createdAt),
  last_read_at: isoTime(b.lastReadAt)
})

/** What a person calls the cached images: every tag, and the manifests pulled only by digest (tag null). */
export const cachedImages = (cache: GroupCache): ReadonlyArray<CachedManifestView> => {
  const tagged = new Set(cache.images.map((m) => `${m.image}@${m.digest}`))
  return [...cache.images, ...cache.manifests.filter((m) => !tagged.has(`${m.image}@${m.digest}`))]
}
