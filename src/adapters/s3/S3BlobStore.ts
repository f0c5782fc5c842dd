import { createHash } from "node:crypto"
import { mkdir } from "node:fs/promises"
import * as NodeStream from "@effect/platform-node/NodeStream"
import { Effect, Layer, Option, Stream } from "effect"
import { type BlobCheck, type BlobReader, BlobStore, BlobStoreError } from "../../application/ports/BlobStore.js"
import { attempt, failure, hexOf, hexOrNone, openReader, removeStaleTemporaries } from "../filesystem/blobFiles.js"
import { abortAbandonedUploads, ensureBucket, KEY_PREFIX, keyOf, listBlobs } from "./s3Bucket.js"
import { beginWrite, type WritesInProgress } from "./s3BlobWrite.js"
import { discard, makeS3Client, type S3Client, type S3Location } from "./S3Client.js"
import { makeSmallObjects } from "./smallObjects.js"
import { Agent } from "undici"
import type { BlobTransfers } from "../peers/blobTransfers.js"
import { countPeerRead } from "../peers/peerMetrics.js"
import { peerReader } from "../peers/peerReader.js"

/** Objects up to this size (manifests, image configs) are also kept in memory, up to the total. */
const SMALL_OBJECT_BYTES = 256 * 1024
const SMALL_OBJECTS_TOTAL_BYTES = 16 * 1024 * 1024

export interface S3BlobStoreOptions extends S3Location {
  /** A local directory for the bytes of writes in progress (followers in this process read them back). */
  readonly spoolDir: string
  /** Per-request connect/headers/body timeout: a slow S3 fails a request instead of hanging it. */
  readonly timeoutMs: number
  /** Whether stored blobs are offered as pre-signed GETs (`S3_REDIRECT`) rather than only proxied. */
  readonly redirect?: boolean
  /**
   * Replicas sharing the bucket, when there are any (ADR 0025): writes are announced in `blob_transfers`, and a
   * write in progress elsewhere is followed by reading the holder's bytes over its peer route, signed with `key`.
   */
  readonly peers?: { readonly transfers: BlobTransfers; readonly key: Buffer }
}

/** Below this much validity a redirect could expire before the client follows it: the bytes are proxied instead. */
const MIN_REDIRECT_SECONDS = 5
/** S3's longest pre-signed validity (7 days); registry tokens live 24 h at most anyway. */
const MAX_REDIRECT_SECONDS = 7 * 24 * 3600

/**
 * Blobs as objects `blobs/sha256/<hex>` in an S3 bucket (ADR 0017). Writes (`s3BlobWrite.ts`) spool locally and
 * upload in parts, so that nothing partial or unverified is ever visible under a digest's key; reads of small
 * objects are answered from memory once seen.
 */
export const layer = (options: S3BlobStoreOptions) =>
  Layer.scoped(
    BlobStore,
    Effect.gen(function*() {
      const s3: S3Client = yield* Effect.acquireRelease(
        Effect.sync(() => makeS3Client(options, { timeoutMs: options.timeoutMs })),
        (client) => Effect.promise(() => client.close().catch(() => undefined))
      )

      yield* attempt("create spool directory", () => mkdir(options.spoolDir, { recursive: true, mode: 0o700 }))
      yield* removeStaleTemporaries(options.spoolDir)
      yield* ensureBucket(s3)
      yield* abortAbandonedUploads(s3, Date.now())

      const small = makeSmallObjects({ maxObjectBytes: SMALL_OBJECT_BYTES, maxTotalBytes: SMALL_OBJECTS_TOTAL_BYTES })

      const inProgress: WritesInProgress = new Map()

      const peers = options.peers
      const peerAgent = peers === undefined ? null : yield* Effect.acquireRelease(
        Effect.sync(() => new Agent({ connect: { timeout: options.timeoutMs } })),
        (agent) => Effect.promise(() => agent.close().catch(() => undefined))
      )
      /** A hint for peers: failing to leave or clear it costs them only the wait for the object (ADR 0025). */
      const hint = (action: string, effect: Effect.Effect<void, BlobStoreError> | undefined) =>
        (effect ?? Effect.void).pipe(Effect.catchAll((e) => Effect.logWarning(`cannot ${action} the blob transfer for peers`, { reason: e.message })))
      const announce = (digest: string, writeId: string) => hint("announce", peers?.transfers.announce(digest, writeId))
      const withdraw = (digest: string, writeId: string) => hint("withdraw", peers?.transfers.withdraw(digest, writeId))

      const size = (digest: string) =>
        keyOf(digest).pipe(Effect.flatMap((key) => {
          const remembered = small.get(digest)
          if (remembered !== undefined) return Effect.succeed(Option.some(remembered.length))
          return (
          attempt("stat blob", async () => {
            const response = await s3.send({ operation: "HeadObject", method: "HEAD", key }, [200, 404])
            await discard(response)
            return response.status === 404 ? Option.none<number>() : Option.some(Number(response.headers["content-length"]))
          }))
        }))

      const read = (digest: string, range: { readonly start: number; readonly end: number } | null) =>
        (range !== null && !(Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.end >= range.start)
          ? Effect.fail(new BlobStoreError({ message: `invalid range ${range.start}-${range.end}` }))
          : keyOf(digest)).pipe(Effect.map((key) => {
            const remembered = small.get(digest)
            if (remembered !== undefined) {
              return Stream.succeed(range === null ? remembered : remembered.subarray(range.start, Math.min(range.end + 1, remembered.length)))
            }
            // The request is made when the stream runs, and its body released with it, so an unread stream costs nothing.
            return Stream.unwrapScoped(
              Effect.acquireRelease(
                attempt("read blob", () =>
                  s3.send({
                    operation: "GetObject",
                    method: "GET",
                    key,
                    ...(range === null ? {} : { headers: { range: `bytes=${range.start}-${range.end}` } })
                  }, [200, 206])),
                (response) => Effect.sync(() => response.body.destroy())
              ).pipe(Effect.flatMap((response) =>
                // A small whole object is read into memory and remembered: the next read needs no request.
                range === null && small.fits(Number(response.headers["content-length"] ?? Infinity))
                  ? attempt("read blob", () => response.body.toArray()).pipe(Effect.map((chunks) => {
                    const bytes = Buffer.concat(chunks)
                    small.remember(digest, bytes)
                    return Stream.succeed<Uint8Array>(bytes)
                  }))
                  : Effect.succeed(NodeStream.fromReadable<BlobStoreError, Uint8Array>(() => response.body, failure("read blob")))
              ))
            )
          }))

      const begin = (digest: string) => beginWrite({ s3, spoolDir: options.spoolDir, small, inProgress, announce, withdraw }, digest)

      /** A write of this process if there is one, else (with peers) the one announced by another replica. */
      const openPartial = (digest: string) =>
        hexOf(digest).pipe(Effect.flatMap(() => {
          const current = inProgress.get(digest)?.at(-1)
          if (current !== undefined) return openReader(current.id, current.path, "blob in progress")
          if (peers === undefined || peerAgent === null) return Effect.succeed(Option.none<BlobReader>())
          // None announced (a replica of an older version, or a row lost): the follower waits for the object.
          return peers.transfers.find(digest).pipe(
            Effect.tap((found) => (Option.isNone(found) ? countPeerRead("fallback") : Effect.void)),
            Effect.map(Option.map((transfer) => peerReader(peerAgent, peers.key, digest, transfer, options.timeoutMs)))
          )
        }))

      /** Only this process's own spool: a peer asking is never sent on to a third replica. */
      const openWriting = (digest: string, writeId: string) =>
        hexOf(digest).pipe(Effect.flatMap(() => {
          const write = inProgress.get(digest)?.find((w) => w.id === writeId)
          return write === undefined ? Effect.succeed(Option.none<BlobReader>()) : openReader(write.id, write.path, "blob in progress")
        }))

      const openStored = (digest: string) =>
        Effect.gen(function*() {
          const key = yield* keyOf(digest)
          const stored = yield* size(digest)
          return Option.map(stored, (length): BlobReader => ({
            id: digest,
            size: Effect.succeed(length),
            read: (start, end) =>
              end <= start || start >= length
                ? Effect.succeed(new Uint8Array(0))
                : attempt("read blob", async () => {
                  const response = await s3.send({
                    operation: "GetObject",
                    method: "GET",
                    key,
                    headers: { range: `bytes=${start}-${Math.min(end, length) - 1}` }
                  }, [206, 200])
                  return Buffer.concat(await response.body.toArray())
                }),
            close: Effect.void
          }))
        })

      const remove = (digest: string) =>
        keyOf(digest).pipe(Effect.flatMap((key) =>
          attempt("remove blob", async () => {
            small.forget(digest)
            await discard(await s3.send({ operation: "DeleteObject", method: "DELETE", key }, [204, 200, 404]))
          })
        ))

      const list = listBlobs(s3)

      /** What the bucket holds, never the memory: `fsck` checks S3 itself, and an object deleted by hand is missing. */
      const check = (digest: string) =>
        keyOf(digest).pipe(Effect.flatMap((key) =>
          attempt("check blob", async (): Promise<BlobCheck> => {
            const response = await s3.send({ operation: "GetObject", method: "GET", key }, [200, 404])
            if (response.status === 404) {
              await discard(response)
              small.forget(digest)
              return "missing"
            }
            const hash = createHash("sha256")
            for await (const chunk of response.body) hash.update(chunk)
            return `sha256:${hash.digest("hex")}` === digest ? "ok" : "corrupt"
          })
        ))

      // Whole seconds, rounded down: the URL expires at or before `validUntil`, never after (the token's `exp`).
      const directUrl = (digest: string, validUntil: Date, now: Date): Option.Option<string> => {
        const hex = Option.getOrUndefined(hexOrNone(digest))
        const seconds = Math.min(MAX_REDIRECT_SECONDS, Math.floor((validUntil.getTime() - now.getTime()) / 1000))
        return options.redirect !== true || hex === undefined || seconds < MIN_REDIRECT_SECONDS
          ? Option.none()
          : Option.some(s3.presignGet(`${KEY_PREFIX}${hex}`, seconds, now))
      }

      return { size, read, localFile: () => Option.none(), directUrl, begin, openPartial, openWriting, openStored, remove, list, check }
    })
  )
