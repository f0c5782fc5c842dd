import { createHash, randomUUID } from "node:crypto"
import { type FileHandle, open } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { BlobStoreError, type BlobWrite, DigestMismatch } from "../../application/ports/BlobStore.js"
import { attempt, hexOf, readAt, unlinkIfThere } from "../filesystem/blobFiles.js"
import { keyOf } from "./s3Bucket.js"
import { discard, type S3Client, textOf } from "./S3Client.js"
import type { SmallObjects } from "./smallObjects.js"

/** Multipart part size: S3's minimum is 5 MiB (but for the last); 8 MiB keeps requests few and memory small. */
export const PART_SIZE = 8 * 1024 * 1024

/** Writes in progress in this process, by digest, oldest first: the newest one is the one followed. */
export type WritesInProgress = Map<string, ReadonlyArray<{ readonly id: string; readonly path: string }>>

export interface WriteContext {
  readonly s3: S3Client
  /** A local directory for the bytes of writes in progress (followers in this process read them back). */
  readonly spoolDir: string
  readonly small: SmallObjects
  readonly inProgress: WritesInProgress
  /** Tells peers where a write is (ADR 0025): a hint, so it never fails the write; no-ops without peers. */
  readonly announce: (digest: string, writeId: string) => Effect.Effect<void>
  readonly withdraw: (digest: string, writeId: string) => Effect.Effect<void>
}

/**
 * One write of a blob to S3: it hashes the bytes as they come, keeps them in a local spool file (so requests in
 * this process can follow it) and sends them on as multipart parts; the object appears under its digest's key
 * only when the upload completes, and it completes only after the digest is verified. A blob smaller than one
 * part is one PUT signed with its own sha256, which S3 checks too.
 */
export const beginWrite = ({ s3, spoolDir, small, inProgress, announce, withdraw }: WriteContext, digest: string) =>
  Effect.gen(function*() {
    const key = yield* keyOf(digest)
    const id = randomUUID()
    const spoolPath = join(spoolDir, `${yield* hexOf(digest)}.${id}`)
    const spool: FileHandle = yield* attempt("create spool file", () => open(spoolPath, "w+", 0o600))
    inProgress.set(digest, [...(inProgress.get(digest) ?? []), { id, path: spoolPath }])
    yield* announce(digest, id)
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

    // Cleanup after a failure cannot fail in turn (the port's abort is infallible, and the failure being handled is
    // what the caller must see); what it could not do is reported. Multipart uploads left behind are aborted at the
    // next start (`abortAbandonedUploads`), spool files with the other stale temporaries.
    const abandonUpload = Effect.tryPromise(abortUpload).pipe(
      Effect.catchAll((error) => Effect.logWarning("an S3 multipart upload could not be aborted", { key, reason: String(error.error) }))
    )
    const removeSpool = Effect.tryPromise(() => unlinkIfThere(spoolPath)).pipe(
      Effect.catchAll((error) => Effect.logWarning("a temporary blob file could not be removed", { path: spoolPath, reason: String(error.error) }))
    )

    const write: BlobWrite = {
      append: (chunk) =>
        unfinished.pipe(Effect.zipRight(attempt("write blob", async () => {
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
      readWritten: (start, end) => attempt("read growing blob", () => readAt(spool, start, Math.min(end, written) - start)),
      commit: Effect.gen(function*() {
        yield* unfinished
        finished = true
        forget()
        const actual = `sha256:${hash.digest("hex")}`
        if (actual !== digest) {
          yield* abandonUpload
          return yield* new DigestMismatch({ expected: digest, actual })
        }
        yield* attempt("commit blob", async () => {
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
        }).pipe(Effect.tapError(() => abandonUpload))
      }),
      abort: Effect.suspend(() => {
        finished = true
        forget()
        return abandonUpload.pipe(Effect.zipRight(removeSpool), Effect.zipRight(withdraw(digest, id)))
      }),
      release: Effect.suspend(() => {
        if (released) return Effect.void
        released = true
        forget()
        return Effect.tryPromise(() => spool.close()).pipe(
          Effect.catchAll((error) => Effect.logWarning("a temporary blob file could not be closed", { path: spoolPath, reason: String(error.error) })),
          Effect.zipRight(removeSpool),
          Effect.zipRight(withdraw(digest, id))
        )
      })
    }
    return write
  })
