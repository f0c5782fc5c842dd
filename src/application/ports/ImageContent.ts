import { Context, Data, type Effect, type Stream } from "effect"
import type { CommandMetadata } from "../CommandMetadata.js"
import type { UpstreamCredentialsRejected, UpstreamInvalid, UpstreamUnavailable } from "./UpstreamRegistry.js"
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

/** Serving failed below the protocol: the blob store or event log could not be used. */
export class ContentStorageFailed extends Data.TaggedError("ContentStorageFailed")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** The body broke off mid-way (a shared download failed verification, the disk failed): abort the connection. */
export interface BodyFailure {
  readonly _tag: string
  readonly message?: string
}

export interface Blob {
  readonly digest: string
  readonly size: number
  /** The bytes from `start` to `end` inclusive (the whole blob when no range is given). */
  readonly read: (range: { readonly start: number; readonly end: number } | null) => Stream.Stream<Uint8Array, BodyFailure>
  /** A complete, verified copy on local disk that the edge may send as a file; null while downloading or not on disk. */
  readonly file: string | null
  /**
   * Where the client may fetch the complete, verified blob itself (a pre-signed S3 GET) instead of through us,
   * valid until no later than `validUntil`; null when it must be served here (no such store, still downloading).
   */
  readonly directUrl: (validUntil: Date, now: Date) => string | null
}

export type ContentError = UpstreamUnavailable | UpstreamInvalid | UpstreamCredentialsRejected | ContentStorageFailed

/**
 * Where an authorized pull gets its manifests and blobs. The pull-through cache implements it; the tests of
 * the parts around it use the in-memory adapter. Methods need the request's `CommandMetadata`, because
 * caching appends events on the requester's behalf.
 */
export interface ImageContentShape {
  readonly manifest: (
    group: GroupView,
    image: string,
    reference: Reference,
    accept: ReadonlyArray<string>
  ) => Effect.Effect<Manifest, ManifestUnknown | ContentError, CommandMetadata>
  readonly blob: (group: GroupView, image: string, digest: string) => Effect.Effect<Blob, BlobUnknown | ContentError, CommandMetadata>
  /** Tags known for the image through this group (`/tags/list`, which clients such as skopeo ask for). */
  readonly tags: (group: GroupView, image: string) => Effect.Effect<ReadonlyArray<string>, NameUnknown | ContentError, CommandMetadata>
}

export class ImageContent extends Context.Tag("dependency-proxy/ImageContent")<ImageContent, ImageContentShape>() {}
