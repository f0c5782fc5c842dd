import { createHash, randomUUID } from "node:crypto"
import { type FileHandle, mkdir, open } from "node:fs/promises"
import { join } from "node:path"
import * as NodeStream from "@effect/platform-node/NodeStream"
import { Effect, Layer, Option, Stream } from "effect"
import { type BlobCheck, type BlobReader, BlobStore, BlobStoreError, type BlobWrite, DigestMismatch } from "../../application/ports/BlobStore.js"
import { failure, hexOf, hexOrNone, openReader, readAt, removeStaleTemporaries, STALE_TEMPORARY_MS, unlinkIfThere } from "../filesystem/blobFiles.js"
import { discard, makeS3Client, type S3Client, type S3Location, textOf } from "./S3Client.js"
import { abandonedUploads, listedObjects } from "./s3Xml.js"
import { Agent } from "undici"
import type { BlobTransfers } from "../peers/blobTransfers.js"
import { peerReader } from "../peers/peerReader.js"
import { makeSmallObjects } from "./smallObjects.js"

const KEY = /^blobs\/sha256\/([a-f0-9]{64})$/
const KEY_PREFIX = "blobs/sha256/"

/** Multipart part size: S3's minimum is 5 MiB (but for the last); 8 MiB keeps requests few and memory small. */
export const PART_SIZE = 8 * 1024 * 1024

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
 * Blobs as objects `blobs/sha256/<hex>` in an S3 bucket (ADR 0017). A write hashes the bytes as they come, keeps
 * them in a local spool file (so requests in this process can follow it) and sends them on as multipart parts;
 * the object appears under its digest's key only when the upload completes, and it completes only after the
 * digest is verified: nothing partial or unverified is ever visible. A blob smaller than one part is one PUT
 * signed with its own sha256, which S3 checks too.
 */
export const layer = (options: S3BlobStoreOptions) =>
  Layer.scoped(
    BlobStore,
    Effect.gen(function*() {
      const s3: S3Client = yield* Effect.acquireRelease(
        Effect.sync(() => makeS3Client(options, { timeoutMs: options.timeoutMs })),
        (client) => Effect.promise(() => client.close().catch(() => undefined))
      )
      const call = <A>(action: string, run: () => Promise<A>) => Effect.tryPromise({ try: run, catch: failure(action) })

      yield* call("create spool directory", () => mkdir(options.spoolDir, { recursive: true, mode: 0o700 }))
      yield* removeStaleTemporaries(options.spoolDir)
      yield* ensureBucket(s3)
      yield* abortAbandonedUploads(s3, Date.now())

      const peers = options.peers
      const peerAgent = peers === undefined ? null : yield* Effect.acquireRelease(
        Effect.sync(() => new Agent({ connect: { timeout: options.timeoutMs } })),
        (agent) => Effect.promise(() => agent.close().catch(() => undefined))
      )
      /** A hint for peers: failing to leave or clear it costs them only the wait for the object (ADR 0025). */
      const hint = (action: string, effect: Effect.Effect<void, BlobStoreError> | undefined) =>
        (effect ?? Effect.void).pipe(Effect.catchAll((e) => Effect.logWarning(`cannot ${action} the blob transfer for peers`, { reason: e.message })))

      const keyOf = (digest: string) => hexOf(digest).pipe(Effect.map((hex) => `${KEY_PREFIX}${hex}`))

      const small = makeSmallObjects({ maxObjectBytes: SMALL_OBJECT_BYTES, maxTotalBytes: SMALL_OBJECTS_TOTAL_BYTES })

      /** Writes in progress in this process, by digest, oldest first: the newest one is the one followed. */
      const inProgress = new Map<string, ReadonlyArray<{ readonly id: string; readonly path: string }>>()

      const size = (digest: string) =>
        keyOf(digest).pipe(Effect.flatMap((key) => {
          const remembered = small.get(digest)
          if (remembered !== undefined) return Effect.succeed(Option.some(remembered.length))
          return (
          call("stat blob", async () => {
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
                call("read blob", () =>
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
                  ? call("read blob", () => response.body.toArray()).pipe(Effect.map((chunks) => {
                    const bytes = Buffer.concat(chunks)
                    small.remember(digest, bytes)
                    return Stream.succeed<Uint8Array>(bytes)
                  }))
                  : Effect.succeed(NodeStream.fromReadable<BlobStoreError, Uint8Array>(() => response.body, failure("read blob")))
              ))
            )
          }))

      const begin = (digest: string) =>
        Effect.gen(function*() {
          const key = yield* keyOf(digest)
          const id = randomUUID()
          const spoolPath = join(options.spoolDir, `${yield* hexOf(digest)}.${id}`)
          const spool: FileHandle = yield* call("create spool file", () => open(spoolPath, "w+", 0o600))
          inProgress.set(digest, [...(inProgress.get(digest) ?? []), { id, path: spoolPath }])
          yield* hint("announce", peers?.transfers.announce(digest, id))
          const withdraw = hint("withdraw", peers?.transfers.withdraw(digest, id))
          const hash = createHash("sha256")
          let written = 0
          let finished = false
          let released = false
          /** The multipart upload, begun when the first part is full. */
          let upload: { readonly uploadId: string; readonly etags: Array<string> } | null = null
          /** Bytes before this are in parts sent (or being sent). */
          let partStart = 0
          /** The part being sent, at most one at a time: the next one waits on disk, not in memory. */
          let sending: Promise<void> = Promise.resolve()

          const forget = () => {
            const others = (inProgress.get(digest) ?? []).filter((w) => w.id !== id)
            if (others.length === 0) inProgress.delete(digest)
            else inProgress.set(digest, others)
          }
          const unfinished = Effect.suspend(() =>
            finished ? Effect.fail(new BlobStoreError({ message: "the write is already committed or aborted" })) : Effect.void
          )
          const sendPart = async (start: number, end: number) => {
            if (upload === null) {
              const created = await s3.send({ operation: "CreateMultipartUpload", method: "POST", key, query: [["uploads", ""]] }, [200])
              const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await textOf(created))?.[1]
              if (uploadId === undefined) throw new Error("CreateMultipartUpload answered no UploadId")
              upload = { uploadId, etags: [] }
            }
            const { uploadId, etags } = upload
            const partNumber = etags.length + 1
            const body = await readAt(spool, start, end - start)
            const response = await s3.send({
              operation: "UploadPart",
              method: "PUT",
              key,
              query: [["partNumber", String(partNumber)], ["uploadId", uploadId]],
              body
            }, [200])
            await discard(response)
            const etag = response.headers["etag"]
            if (typeof etag !== "string") throw new Error("UploadPart answered no ETag")
            etags.push(etag)
          }
          const abortUpload = async () => {
            await sending.catch(() => undefined)
            if (upload === null) return
            const response = await s3.send({ operation: "AbortMultipartUpload", method: "DELETE", key, query: [["uploadId", upload.uploadId]] }, [204, 200, 404])
            await discard(response)
          }

          const write: BlobWrite = {
            append: (chunk) =>
              unfinished.pipe(Effect.zipRight(call("write blob", async () => {
                let offset = 0
                while (offset < chunk.length) {
                  const { bytesWritten } = await spool.write(chunk, offset, chunk.length - offset, written + offset)
                  offset += bytesWritten
                }
                hash.update(chunk)
                written += chunk.length
                if (written - partStart >= PART_SIZE) {
                  // A failed part fails the next append (or the commit): the download stops instead of going on for nothing.
                  await sending
                  const start = partStart
                  partStart += PART_SIZE
                  sending = sendPart(start, start + PART_SIZE)
                  sending.catch(() => undefined)
                }
              }))),
            // The run's chunks are spooled (and sent on) before it returns: its inner effect has nothing left to wait for.
            appendRun: (run) => Effect.forEach(run, (chunk) => write.append(chunk), { discard: true }).pipe(Effect.as(Effect.void)),
            verify: Effect.suspend(() => {
              const actual = `sha256:${hash.copy().digest("hex")}`
              return actual === digest ? Effect.void : Effect.fail(new DigestMismatch({ expected: digest, actual }))
            }),
            written: Effect.sync(() => written),
            readWritten: (start, end) => call("read growing blob", () => readAt(spool, start, Math.min(end, written) - start)),
            commit: Effect.gen(function*() {
              yield* unfinished
              finished = true
              forget()
              const actual = `sha256:${hash.digest("hex")}`
              if (actual !== digest) {
                yield* Effect.promise(() => abortUpload().catch(() => undefined))
                return yield* new DigestMismatch({ expected: digest, actual })
              }
              yield* call("commit blob", async () => {
                await sending
                const current = upload
                if (current === null) {
                  // One PUT signed with the blob's own sha256: S3 refuses it if a byte changed on the way.
                  const body = await readAt(spool, 0, written)
                  await discard(await s3.send({ operation: "PutObject", method: "PUT", key, body, payloadSha256: digest.slice("sha256:".length) }, [200]))
                  small.remember(digest, body)
                  return
                }
                if (written > partStart) await sendPart(partStart, written)
                const parts = current.etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join("")
                const completed = await s3.send({
                  operation: "CompleteMultipartUpload",
                  method: "POST",
                  key,
                  query: [["uploadId", current.uploadId]],
                  body: new TextEncoder().encode(`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`)
                }, [200])
                // S3 may answer 200 and report the failure in the body.
                const text = await textOf(completed)
                if (text.includes("<Error>")) throw new Error(`CompleteMultipartUpload failed: ${/<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? "unknown"}`)
              }).pipe(Effect.tapError(() => Effect.promise(() => abortUpload().catch(() => undefined))))
            }),
            abort: Effect.suspend(() => {
              finished = true
              forget()
              return Effect.promise(async () => {
                await abortUpload().catch(() => undefined)
                await unlinkIfThere(spoolPath).catch(() => undefined)
              }).pipe(Effect.zipRight(withdraw))
            }),
            release: Effect.suspend(() => {
              if (released) return Effect.void
              released = true
              forget()
              return Effect.promise(async () => {
                await spool.close().catch(() => undefined)
                await unlinkIfThere(spoolPath).catch(() => undefined)
              }).pipe(Effect.zipRight(withdraw))
            })
          }
          return write
        })

      /** A write of this process if there is one, else (with peers) the one announced by another replica. */
      const openPartial = (digest: string) =>
        hexOf(digest).pipe(Effect.flatMap(() => {
          const current = inProgress.get(digest)?.at(-1)
          if (current !== undefined) return openReader(current.id, current.path, "blob in progress")
          if (peers === undefined || peerAgent === null) return Effect.succeed(Option.none<BlobReader>())
          return peers.transfers.find(digest).pipe(Effect.map(Option.map((transfer) => peerReader(peerAgent, peers.key, digest, transfer, options.timeoutMs))))
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
                : call("read blob", async () => {
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
          call("remove blob", async () => {
            small.forget(digest)
            await discard(await s3.send({ operation: "DeleteObject", method: "DELETE", key }, [204, 200, 404]))
          })
        ))

      const list = call("list blobs", async () => {
        const found: Array<{ digest: string; size: number; storedAt: Date }> = []
        let continuation: string | null = null
        do {
          const query: Array<readonly [string, string]> = [["list-type", "2"], ["prefix", KEY_PREFIX]]
          if (continuation !== null) query.push(["continuation-token", continuation])
          const page = listedObjects(await textOf(await s3.send({ operation: "ListObjectsV2", method: "GET", key: null, query }, [200])))
          for (const object of page.objects) {
            const hex = KEY.exec(object.key)?.[1]
            if (hex !== undefined) found.push({ digest: `sha256:${hex}`, size: object.size, storedAt: object.lastModified })
          }
          continuation = page.nextContinuationToken
        } while (continuation !== null)
        return found.sort((a, b) => (a.digest < b.digest ? -1 : 1))
      })

      /** What the bucket holds, never the memory: `fsck` checks S3 itself, and an object deleted by hand is missing. */
      const check = (digest: string) =>
        keyOf(digest).pipe(Effect.flatMap((key) =>
          call("check blob", async (): Promise<BlobCheck> => {
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

/** Creates the bucket if it does not exist (a development or test set-up; production buckets exist already). */
const ensureBucket = (s3: S3Client) =>
  Effect.tryPromise({
    try: async () => {
      const head = await s3.send({ operation: "HeadBucket", method: "HEAD", key: null }, [200, 404])
      await discard(head)
      if (head.status === 404) await discard(await s3.send({ operation: "CreateBucket", method: "PUT", key: null }, [200]))
    },
    catch: failure(`open bucket ${s3.location.bucket}`)
  })

/** Multipart uploads a killed process never finished nor aborted: S3 keeps (and bills) their parts until aborted. */
const abortAbandonedUploads = (s3: S3Client, now: number) =>
  Effect.tryPromise({
    try: async () => {
      const listing = await s3.send({ operation: "ListMultipartUploads", method: "GET", key: null, query: [["uploads", ""], ["prefix", KEY_PREFIX]] }, [200])
      let aborted = 0
      for (const upload of abandonedUploads(await textOf(listing))) {
        if (now - upload.initiated.getTime() < STALE_TEMPORARY_MS) continue
        await discard(await s3.send({ operation: "AbortMultipartUpload", method: "DELETE", key: upload.key, query: [["uploadId", upload.uploadId]] }, [204, 200, 404]))
        aborted += 1
      }
      return aborted
    },
    catch: failure("clean abandoned uploads")
  }).pipe(Effect.tap((aborted) => (aborted > 0 ? Effect.logInfo("aborted multipart uploads left by an interrupted process", { aborted }) : Effect.void)))
