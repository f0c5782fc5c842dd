import { createHash } from "node:crypto"
import { Effect, Layer, Stream } from "effect"
import { BlobUnknown, ImageContent, ManifestUnknown, NameUnknown } from "../../application/ports/ImageContent.js"

export interface SeededImage {
  readonly image: string
  readonly tag: string
  readonly mediaType: string
  readonly manifest: string
  readonly blobs: ReadonlyArray<Uint8Array>
}

const sha256 = (bytes: Uint8Array | string) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`

/**
 * Images held in memory, the same for every group: a stand-in for the pull-through cache in tests of the
 * registry's authentication and routing.
 */
export const layer = (images: ReadonlyArray<SeededImage>) => {
  const manifests = new Map<string, { mediaType: string; digest: string; body: Uint8Array }>()
  const blobs = new Map<string, Uint8Array>()
  for (const image of images) {
    const body = Buffer.from(image.manifest)
    const entry = { mediaType: image.mediaType, digest: sha256(body), body }
    manifests.set(`${image.image}:${image.tag}`, entry)
    manifests.set(`${image.image}@${entry.digest}`, entry)
    for (const blob of image.blobs) blobs.set(sha256(blob), blob)
  }
  return Layer.succeed(ImageContent, {
    manifest: (_group, image, reference) => {
      const key = reference._tag === "Tag" ? `${image}:${reference.tag}` : `${image}@${reference.digest}`
      const found = manifests.get(key)
      return found === undefined
        ? Effect.fail(new ManifestUnknown({ image, reference: reference._tag === "Tag" ? reference.tag : reference.digest }))
        : Effect.succeed(found)
    },
    tags: (_group, image) => {
      const tags = images.filter((i) => i.image === image).map((i) => i.tag).sort()
      return tags.length === 0 ? Effect.fail(new NameUnknown({ image })) : Effect.succeed(tags)
    },
    blob: (_group, _image, digest) => {
      const found = blobs.get(digest)
      return found === undefined
        ? Effect.fail(new BlobUnknown({ digest }))
        : Effect.succeed({
          digest,
          size: found.length,
          file: null,
          directUrl: () => null,
          read: (range) => Stream.make(range === null ? found : found.subarray(range.start, range.end + 1))
        })
    }
  })
}
