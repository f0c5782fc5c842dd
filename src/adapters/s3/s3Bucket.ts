import { Effect } from "effect"
import { attempt, failure, hexOf, STALE_TEMPORARY_MS } from "../filesystem/blobFiles.js"
import { discard, type S3Client, textOf } from "./S3Client.js"
import { abandonedUploads, listedObjects } from "./s3Xml.js"

/** Where blobs live in the bucket: one object per blob, named by its digest. */
export const KEY_PREFIX = "blobs/sha256/"
const KEY = /^blobs\/sha256\/([a-f0-9]{64})$/

export const keyOf = (digest: string) => hexOf(digest).pipe(Effect.map((hex) => `${KEY_PREFIX}${hex}`))

/** Creates the bucket if it does not exist (a development or test set-up; production buckets exist already). */
export const ensureBucket = (s3: S3Client) =>
  Effect.tryPromise({
    try: async () => {
      const head = await s3.send({ operation: "HeadBucket", method: "HEAD", key: null }, [200, 404])
      await discard(head)
      if (head.status === 404) await discard(await s3.send({ operation: "CreateBucket", method: "PUT", key: null }, [200]))
    },
    catch: failure(`open bucket ${s3.location.bucket}`)
  })

/** Multipart uploads a killed process never finished nor aborted: S3 keeps (and bills) their parts until aborted. */
export const abortAbandonedUploads = (s3: S3Client, now: number) =>
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

/** Every blob object in the bucket, page by page, in digest order. */
export const listBlobs = (s3: S3Client) =>
  attempt("list blobs", async () => {
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
