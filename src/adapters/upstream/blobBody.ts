import type { Readable } from "node:stream"
import * as NodeStream from "@effect/platform-node/NodeStream"
import { Effect, Stream } from "effect"
import { BODY_RUN_BYTES, BodyInterrupted, type UpstreamBlob } from "../../application/ports/UpstreamRegistry.js"
import { gatherRuns } from "./gatherRuns.js"

const interrupted = (cause: unknown) => new BodyInterrupted({ reason: cause instanceof Error ? cause.message : String(cause) })

/**
 * An HTTP response body (a Node stream, as undici hands it out) as the port's stream of bytes: one stream
 * chunk per run of socket reads (`gatherRuns`, no copy). The body is piped only once the stream runs; the
 * stream's end, failure or interruption destroys it, which frees the connection.
 */
export const blobBody = (readable: Readable): Pick<UpstreamBlob, "body" | "discard"> => ({
  body: NodeStream.fromReadable<BodyInterrupted, ReadonlyArray<Uint8Array>>(() => gatherRuns(readable, BODY_RUN_BYTES), interrupted).pipe(
    // Each run becomes one chunk of the stream: the consumer sees runs through `Stream.chunks`.
    Stream.flattenIterables
  ),
  discard: Effect.sync(() => readable.destroy())
})
