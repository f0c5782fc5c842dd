import { Effect, Option, Stream } from "effect"
import type { BlobStoreShape } from "../ports/BlobStore.js"
import { UpstreamInvalid } from "../ports/UpstreamRegistry.js"

/** Manifest bodies as blobs: read whole, and stored by their digest (which the store verifies). */
export const manifestBodies = (store: BlobStoreShape) => ({
  read: (digest: string) =>
    store.read(digest, null).pipe(
      Effect.flatMap((stream) => Stream.runCollect(stream)),
      Effect.map((chunks) => Buffer.concat([...chunks]))
    ),

  /** Stores a manifest body by digest (idempotent: an identical file may already be there). */
  store: (digest: string, body: Uint8Array) =>
    store.size(digest).pipe(Effect.flatMap((existing) =>
      Option.isSome(existing) && existing.value === body.length
        ? Effect.void
        : store.begin(digest).pipe(Effect.flatMap((write) =>
          write.append(body).pipe(
            Effect.zipRight(write.commit),
            // A failed write (disk full) must not leave its temporary file behind; abort is idempotent.
            Effect.onError(() => write.abort),
            Effect.ensuring(write.release),
            Effect.catchTag("DigestMismatch", (e) => Effect.fail(new UpstreamInvalid({ reason: `manifest digest ${e.actual} is not ${e.expected}` })))
          )
        ))
    ))
})
