import { Effect } from "effect"
import type { UpstreamBlob, UpstreamCaller, UpstreamError } from "../../application/ports/UpstreamRegistry.js"
import { UpstreamInvalid } from "../../application/ports/UpstreamRegistry.js"
import { blobBody } from "./blobBody.js"
import type { RegistryClient } from "./client.js"
import { describeUrl, discard, type Exchanged } from "./exchange.js"
import { integerHeader } from "./headers.js"
import { blobPath, registryUrl } from "./paths.js"
import type { Retry } from "./retry.js"
import { statusError } from "./status.js"

/** The caller verifies the digest while streaming and needs the size up front, so a blob without one is refused. */
const sizeOf = (response: Exchanged): Effect.Effect<number, UpstreamInvalid> => {
  const size = integerHeader(response.headers, "content-length")
  return size === null ? Effect.fail(new UpstreamInvalid({ reason: `${describeUrl(response.url)}: blob without Content-Length` })) : Effect.succeed(size)
}

export const headBlob = (client: RegistryClient, retry: Retry) =>
(caller: UpstreamCaller, repository: string, digest: string): Effect.Effect<{ readonly size: number }, UpstreamError> =>
  retry(
    client.request(caller, repository, "HEAD", registryUrl(client.base, blobPath(repository, digest)), {}, (response) =>
      response.status === 200
        ? Effect.zipRight(discard(response), Effect.map(sizeOf(response), (size) => ({ size })))
        : statusError(response))
  )

/**
 * The body is handed over unread, as a stream of runs of socket reads (`blobBody`), so a layer of any size streams. The retry
 * covers only the request up to the response headers: once the caller has the stream it is never re-fetched.
 */
export const getBlob = (client: RegistryClient, retry: Retry) =>
(caller: UpstreamCaller, repository: string, digest: string): Effect.Effect<UpstreamBlob, UpstreamError> =>
  retry(
    client.request(caller, repository, "GET", registryUrl(client.base, blobPath(repository, digest)), {}, (response) =>
      response.status === 200
        ? Effect.map(sizeOf(response), (size): UpstreamBlob => ({ size, ...blobBody(response.body) }))
        : statusError(response))
  )
