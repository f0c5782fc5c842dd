import type { Readable } from "node:stream"
import { Context, Data, type Effect } from "effect"
import type { Reference } from "../../domain/registry/RegistryPath.js"
import type { GroupView } from "../../domain/views.js"

export class ManifestUnknown extends Data.TaggedError("ManifestUnknown")<{ readonly image: string; readonly reference: string }> {}
export class NameUnknown extends Data.TaggedError("NameUnknown")<{ readonly image: string }> {}
export class BlobUnknown extends Data.TaggedError("BlobUnknown")<{ readonly digest: string }> {}

export interface Manifest {
  readonly mediaType: string
  readonly digest: string
  readonly body: Uint8Array
}

export interface Blob {
  readonly digest: string
  readonly size: number
  /** The bytes from `start` to `end` inclusive (the whole blob when no range is given). */
  readonly open: (range: { readonly start: number; readonly end: number } | null) => Readable
}

/**
 * Where an authorized pull gets its manifests and blobs. The pull-through cache implements it; the tests of
 * the parts around it use the in-memory adapter.
 */
export interface ImageContentShape {
  readonly manifest: (
    group: GroupView,
    image: string,
    reference: Reference,
    accept: ReadonlyArray<string>
  ) => Effect.Effect<Manifest, ManifestUnknown>
  readonly blob: (group: GroupView, image: string, digest: string) => Effect.Effect<Blob, BlobUnknown>
  /** Tags known for the image through this group (`/tags/list`, which clients such as skopeo ask for). */
  readonly tags: (group: GroupView, image: string) => Effect.Effect<ReadonlyArray<string>, NameUnknown>
}

export class ImageContent extends Context.Tag("dependency-proxy/ImageContent")<ImageContent, ImageContentShape>() {}
