import type { ReadModelChange } from "./ReadModelChange.js"
import { codecs, eventDecoder, keyOf, modify, put, remove, type StoredEvent } from "./readModelDocs.js"
import { BlobStream, ManifestStream } from "./streams.js"
import { cachedManifestId, CacheKinds } from "./views.js"

const decodeManifest = eventDecoder(ManifestStream)
const decodeBlob = eventDecoder(BlobStream)

/** The cache index's read models: a manifest by digest and by tag, a blob per group (ADR 0003). */
export const projectManifest = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeManifest(event)
  if (e._tag === "ManifestExpired") {
    const [groupId, ...imageParts] = keyOf(event.streamId).split("/")
    const image = imageParts.join("/")
    return [
      remove(CacheKinds.manifest, cachedManifestId(Number(groupId), image, { digest: e.digest })),
      ...e.tags.map((tag) => remove(CacheKinds.manifest, cachedManifestId(Number(groupId), image, { tag })))
    ]
  }
  if (e._tag === "ManifestRead") {
    const [groupId, ...imageParts] = keyOf(event.streamId).split("/")
    const image = imageParts.join("/")
    const touch = (id: string) => modify(codecs.cachedManifest, CacheKinds.manifest, id, (m) => ({ ...m, lastReadAt: e.at }))
    const byDigest = touch(cachedManifestId(Number(groupId), image, { digest: e.digest }))
    return e.tag === null ? [byDigest] : [byDigest, touch(cachedManifestId(Number(groupId), image, { tag: e.tag }))]
  }
  const { _tag, ...fields } = e
  const row = { ...fields, position: event.globalPosition, createdAt: event.recordedAt, lastReadAt: event.recordedAt }
  const byDigest = put(codecs.cachedManifest, CacheKinds.manifest, cachedManifestId(e.groupId, e.image, { digest: e.digest }), { ...row, tag: null })
  return e.tag === null
    ? [byDigest]
    : [byDigest, put(codecs.cachedManifest, CacheKinds.manifest, cachedManifestId(e.groupId, e.image, { tag: e.tag }), row)]
}

export const projectBlob = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeBlob(event)
  const id = keyOf(event.streamId)
  switch (e._tag) {
    case "BlobCached":
      return [put(codecs.cachedBlob, CacheKinds.blob, id, {
        position: event.globalPosition,
        groupId: e.groupId,
        digest: e.digest,
        size: e.size,
        image: e.image,
        createdAt: event.recordedAt,
        lastReadAt: event.recordedAt
      })]
    case "BlobForgotten":
      return [remove(CacheKinds.blob, id)]
    case "BlobRead":
      return [modify(codecs.cachedBlob, CacheKinds.blob, id, (b) => ({ ...b, lastReadAt: e.at }))]
  }
}
