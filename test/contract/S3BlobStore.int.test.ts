import { Context, Effect, Layer } from "effect"
import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { request } from "undici"
import { discard, makeS3Client, type S3Client, textOf } from "../../src/adapters/s3/S3Client.js"
import * as S3BlobStore from "../../src/adapters/s3/S3BlobStore.js"
import { abandonedUploads, listedObjects } from "../../src/adapters/s3/s3Xml.js"
import { BlobStore } from "../../src/application/ports/BlobStore.js"
import { freshS3Location } from "../support/s3.js"
import { blobStoreContract, type StoreMedium } from "./blobStoreContract.js"

/** Objects outside the store's prefix: a store that escaped `blobs/` would read, overwrite or delete them. */
const NEIGHBOURS = ["etc/passwd", "neighbour"]

const objectsIn = async (s3: S3Client) => {
  const page = await s3.send({ operation: "ListObjectsV2", method: "GET", key: null, query: [["list-type", "2"]] }, [200])
  return listedObjects(await textOf(page)).objects
}
const uploadsIn = async (s3: S3Client) =>
  abandonedUploads(await textOf(await s3.send({ operation: "ListMultipartUploads", method: "GET", key: null, query: [["uploads", ""]] }, [200])))

const getObject = async (s3: S3Client, key: string) =>
  Buffer.concat(await (await s3.send({ operation: "GetObject", method: "GET", key }, [200])).body.toArray())

/** Empties and deletes the case's bucket. */
const dropBucket = async (s3: S3Client) => {
  for (const upload of await uploadsIn(s3)) {
    await discard(await s3.send({ operation: "AbortMultipartUpload", method: "DELETE", key: upload.key, query: [["uploadId", upload.uploadId]] }, [204, 200, 404]))
  }
  for (const object of await objectsIn(s3)) await discard(await s3.send({ operation: "DeleteObject", method: "DELETE", key: object.key }, [204, 200, 404]))
  await discard(await s3.send({ operation: "DeleteBucket", method: "DELETE", key: null }, [204, 200, 404]))
}

const fresh = Effect.gen(function*() {
  const location = freshS3Location("contract")
  const spoolDir = yield* Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "s3-spool-"))),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )
  const s3 = yield* Effect.acquireRelease(
    Effect.sync(() => makeS3Client(location, { timeoutMs: 30_000 })),
    (client) => Effect.promise(() => dropBucket(client).finally(() => client.close()))
  )
  // Built in the case's scope: the store's connections live as long as the case.
  const store = Context.get(yield* Layer.build(S3BlobStore.layer({ ...location, spoolDir, timeoutMs: 30_000 })), BlobStore)
  yield* Effect.promise(async () => {
    for (const key of NEIGHBOURS) {
      await discard(await s3.send({ operation: "PutObject", method: "PUT", key, body: new TextEncoder().encode(`${key}\n`) }, [200]))
    }
  })
  const medium: StoreMedium = {
    // Objects under the store's prefix, multipart uploads not completed, and spool files: all must be gone
    // when nothing is being written.
    files: Effect.promise(async () => {
      const objects = (await objectsIn(s3)).map((o) => o.key).filter((key) => !NEIGHBOURS.includes(key))
      const uploads = (await uploadsIn(s3)).map((u) => `upload:${u.key}`)
      const spool = (await readdir(spoolDir)).map((name) => `spool:${name}`)
      return [...objects, ...uploads, ...spool].sort()
    }),
    blobFile: (digest) => `blobs/sha256/${digest.slice("sha256:".length)}`,
    // Not a file mode: a blob object that anyone may read without signing would be "world-readable" (0644).
    permissions: (key) =>
      Effect.promise(async () => {
        const anonymous = await request(`${location.endpoint}/${location.bucket}/${key}`)
        await anonymous.body.dump()
        return anonymous.statusCode === 200 ? 0o644 : 0o600
      }),
    fingerprint: Effect.promise(async () =>
      (await Promise.all((await objectsIn(s3)).map(async (o) => `${o.key} ${o.size} ${o.lastModified.toISOString()} ${(await getObject(s3, o.key)).toString("hex")}`)))
        .sort()
        .join("\n")
    ),
    corrupt: (digest) =>
      Effect.promise(async () => {
        const key = `blobs/sha256/${digest.slice("sha256:".length)}`
        const bytes = await getObject(s3, key)
        bytes[17] = (bytes[17] ?? 0) ^ 0xff
        await discard(await s3.send({ operation: "PutObject", method: "PUT", key, body: bytes }, [200]))
      })
  }
  return { store, medium }
})

blobStoreContract("S3BlobStore (radosgw)", { _tag: "OnMedium", fresh })
