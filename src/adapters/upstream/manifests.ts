import { Effect } from "effect"
import {
  type ManifestHead,
  MANIFEST_MEDIA_TYPES,
  MAX_MANIFEST_BYTES,
  type UpstreamCaller,
  type UpstreamError,
  UpstreamInvalid,
  type UpstreamManifest
} from "../../application/ports/UpstreamRegistry.js"
import { readCapped } from "./body.js"
import type { RegistryClient } from "./client.js"
import { digestOf, hasDigest, isDigestReference, parseDigest } from "./digest.js"
import { describeUrl, discard, type Exchanged } from "./exchange.js"
import { headerValue, integerHeader, mediaTypeOf } from "./headers.js"
import { manifestPath, registryUrl } from "./paths.js"
import type { Retry } from "./retry.js"
import { statusError } from "./status.js"
import type { Transient } from "./Transient.js"

/** Every manifest format a pull may meet, so no upstream answers 404 for want of an acceptable one. */
const ACCEPT = MANIFEST_MEDIA_TYPES.join(", ")

const invalid = (response: Exchanged, reason: string) => new UpstreamInvalid({ reason: `${describeUrl(response.url)}: ${reason}` })

const headOf = (response: Exchanged, reference: string): Effect.Effect<ManifestHead, UpstreamInvalid> => {
  const announced = headerValue(response.headers, "docker-content-digest")
  const byDigest = isDigestReference(reference)
  // Without a body there is nothing to hash: the header is the only source, unless we asked by digest.
  const digest = announced ?? (byDigest ? reference : undefined)
  const mediaType = mediaTypeOf(response.headers)
  const size = integerHeader(response.headers, "content-length")
  if (digest === undefined || parseDigest(digest) === null) return Effect.fail(invalid(response, "no usable Docker-Content-Digest"))
  if (byDigest && digest !== reference) return Effect.fail(invalid(response, `digest ${digest} answers for ${reference}`))
  if (mediaType === undefined) return Effect.fail(invalid(response, "no Content-Type"))
  if (size === null) return Effect.fail(invalid(response, "no Content-Length"))
  if (size > MAX_MANIFEST_BYTES) return Effect.fail(invalid(response, `manifest of ${size} bytes exceeds ${MAX_MANIFEST_BYTES}`))
  return Effect.succeed({ digest, mediaType, size })
}

/** The manifest's own `mediaType` field, for an upstream that sent no `Content-Type`. */
const declaredMediaType = (json: unknown): string | undefined =>
  typeof json === "object" && json !== null && "mediaType" in json && typeof json.mediaType === "string" ? json.mediaType : undefined

/**
 * The digest is computed, never taken on trust: it must equal the reference when pulling by digest, and the
 * upstream's `Docker-Content-Digest` when it sent one.
 */
const manifestOf = (response: Exchanged, reference: string): Effect.Effect<UpstreamManifest, UpstreamInvalid | Transient> =>
  Effect.gen(function*() {
    const body = yield* readCapped(response, MAX_MANIFEST_BYTES)
    const byDigest = isDigestReference(reference)
    if (byDigest && !hasDigest(body, reference)) return yield* invalid(response, `body does not hash to ${reference}`)
    const announced = headerValue(response.headers, "docker-content-digest")
    if (announced !== undefined && !hasDigest(body, announced)) return yield* invalid(response, `body does not hash to its Docker-Content-Digest ${announced}`)
    const json = yield* Effect.try({ try: (): unknown => JSON.parse(body.toString("utf8")), catch: () => invalid(response, "manifest is not JSON") })
    const mediaType = mediaTypeOf(response.headers) ?? declaredMediaType(json)
    if (mediaType === undefined) return yield* invalid(response, "no Content-Type and no mediaType field")
    return { digest: byDigest ? reference : digestOf(body), mediaType, size: body.length, body: new Uint8Array(body) }
  })

/** `single` makes one attempt: what a revalidation with a cached copy to fall back on uses. */
export const headManifest = (client: RegistryClient, retry: Retry, single: Retry) =>
(caller: UpstreamCaller, repository: string, reference: string, options?: { readonly retry: boolean }): Effect.Effect<ManifestHead, UpstreamError> =>
  (options?.retry === false ? single : retry)(
    client.request(caller, repository, "HEAD", registryUrl(client.base, manifestPath(repository, reference)), { accept: ACCEPT }, (response) =>
      response.status === 200 ? Effect.zipRight(discard(response), headOf(response, reference)) : statusError(response))
  )

export const getManifest = (client: RegistryClient, retry: Retry) =>
(caller: UpstreamCaller, repository: string, reference: string): Effect.Effect<UpstreamManifest, UpstreamError> =>
  retry(
    client.request(caller, repository, "GET", registryUrl(client.base, manifestPath(repository, reference)), { accept: ACCEPT }, (response) =>
      response.status === 200 ? manifestOf(response, reference) : statusError(response))
  )
