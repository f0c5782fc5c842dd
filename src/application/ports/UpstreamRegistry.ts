import { Context, Data, type Effect, type Stream } from "effect"

/** Docker Hub credentials of a group, opened for one upstream call; never logged or stored in clear. */
export interface UpstreamCredentials {
  readonly identity: string
  readonly secret: string
}

/** Who is asking upstream: token caches are per group (credentials differ) and per repository. */
export interface UpstreamCaller {
  readonly groupId: number
  readonly credentials: UpstreamCredentials | null
}

/** The upstream said the thing does not exist (404), or refused these credentials for it (401/403 after auth). */
export class UpstreamNotFound extends Data.TaggedError("UpstreamNotFound")<{ readonly status: number }> {
  override get message() {
    return `upstream answered ${this.status}`
  }
}

/**
 * The upstream refused the group's Docker Hub credentials themselves (its token endpoint, or a Basic challenge,
 * answered 401/403 to them): every uncached pull of the group fails until an Owner corrects them. Anonymous
 * refusals, and a registry refusing a token it issued, stay `UpstreamNotFound`: Docker Hub answers those for
 * images that do not exist, too.
 */
export class UpstreamCredentialsRejected extends Data.TaggedError("UpstreamCredentialsRejected")<{ readonly status: number }> {
  override get message() {
    return `upstream rejected the group's credentials with ${this.status}`
  }
}

/**
 * The upstream could not answer: connection refused or reset, timeout, 5xx, 429, its token endpoint failing,
 * or not asked because its breaker is open. A cached copy may then be served (stale-if-error).
 */
export class UpstreamUnavailable extends Data.TaggedError("UpstreamUnavailable")<{
  readonly reason: string
  /** When asking again may help (the breaker's cooldown, or the upstream's own `Retry-After`), if known. */
  readonly retryAfterMs?: number
  /** Not asked at all: the upstream's breaker refused the call. */
  readonly refusedByBreaker?: boolean
}> {
  override get message() {
    return this.reason
  }
}

/** The upstream answered with something unusable (no digest header, manifest over the size limit, bad JSON). */
export class UpstreamInvalid extends Data.TaggedError("UpstreamInvalid")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

export type UpstreamError = UpstreamNotFound | UpstreamUnavailable | UpstreamInvalid | UpstreamCredentialsRejected

export interface ManifestHead {
  readonly digest: string
  readonly mediaType: string
  readonly size: number
}

export interface UpstreamManifest extends ManifestHead {
  readonly body: Uint8Array
}

/** The upstream body broke off (reset, timeout) while it was being read. */
export class BodyInterrupted extends Data.TaggedError("BodyInterrupted")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/**
 * How many bytes an upstream body gathers into one chunk of its stream (the last may be smaller): the cache
 * does per-chunk work (a hash update, a store write, a notice to every client following the transfer), which
 * at the socket's 16–64 KiB reads would dominate.
 */
export const BODY_RUN_BYTES = 1024 * 1024

export interface UpstreamBlob {
  /** From `Content-Length`; the body is verified against the digest by the caller while it streams. */
  readonly size: number
  /**
   * The bytes as they arrive, readable once (running it again does not fetch again). Each chunk of the
   * stream (`Stream.chunks`) is a run of consecutive socket reads of at least `BODY_RUN_BYTES` (the last may
   * be smaller), the buffers as read, not copied. Ending the stream early, or a failure, frees the connection.
   */
  readonly body: Stream.Stream<Uint8Array, BodyInterrupted>
  /** Frees the connection of a body that will not be read at all. */
  readonly discard: Effect.Effect<void>
}

/** The latest `RateLimit-Limit` / `RateLimit-Remaining` Docker Hub sent, for metrics. */
export interface RateLimit {
  readonly limit: number | null
  readonly remaining: number | null
}

/** The Accept list sent for manifests: every format a pull may meet, so no upstream refuses for lack of one. */
export const MANIFEST_MEDIA_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json"
] as const

/** Manifests larger than this are refused (SPEC §5). */
export const MAX_MANIFEST_BYTES = 10 * 1024 * 1024

/**
 * The registry being cached (Docker Hub by default). `repository` is the upstream name (`library/alpine`);
 * `reference` a tag or digest. Implementations follow the upstream's own token challenge, cache its tokens
 * per caller and repository, and never send `Authorization` to another host on a redirect.
 */
export interface UpstreamRegistryShape {
  /** `retry: false` makes one attempt only: a revalidation with a cached copy to fall back on (ADR 0012). */
  readonly headManifest: (
    caller: UpstreamCaller,
    repository: string,
    reference: string,
    options?: { readonly retry: boolean }
  ) => Effect.Effect<ManifestHead, UpstreamError>
  readonly getManifest: (caller: UpstreamCaller, repository: string, reference: string) => Effect.Effect<UpstreamManifest, UpstreamError>
  /** Whether these credentials can read the blob (used before sharing another group's cached copy). */
  readonly headBlob: (caller: UpstreamCaller, repository: string, digest: string) => Effect.Effect<{ readonly size: number }, UpstreamError>
  /** The blob's body as a stream; the caller owns it and must run it or `discard` it. */
  readonly getBlob: (caller: UpstreamCaller, repository: string, digest: string) => Effect.Effect<UpstreamBlob, UpstreamError>
  readonly tags: (caller: UpstreamCaller, repository: string) => Effect.Effect<ReadonlyArray<string>, UpstreamError>
  readonly rateLimit: Effect.Effect<RateLimit>
  /**
   * Milliseconds the upstream's breaker will still refuse calls (open, or its one probe under way), or null
   * when a call would go: asked before a call that has a fallback, without taking the probe.
   */
  readonly refusal: Effect.Effect<number | null>
}

export class UpstreamRegistry extends Context.Tag("dependency-proxy/UpstreamRegistry")<UpstreamRegistry, UpstreamRegistryShape>() {}
