import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { waitUntil } from "../waitUntil.js"

export interface StoredBlob {
  readonly digest: string
  /** The file's bytes hash to the digest its name claims. */
  readonly verified: boolean
}

/** What the file blob store holds: the blobs under `sha256/` and the temporaries under `tmp/`. */
export interface BlobStoreState {
  readonly stored: ReadonlyArray<StoredBlob>
  readonly temporaries: ReadonlyArray<string>
}

const listOrEmpty = (dir: string) =>
  readdir(dir).catch((error: unknown) =>
    typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT" ? [] : Promise.reject(error))

const hashFile = async (path: string) => {
  const hash = createHash("sha256")
  for await (const chunk of createReadStream(path)) hash.update(chunk)
  return `sha256:${hash.digest("hex")}`
}

/** Reads the store from disk, re-hashing every file: a partial or unverified blob shows as `verified: false`. */
export const blobStoreState = async (blobsDir: string): Promise<BlobStoreState> => {
  const stored: Array<StoredBlob> = []
  for (const prefix of await listOrEmpty(join(blobsDir, "sha256"))) {
    for (const name of await listOrEmpty(join(blobsDir, "sha256", prefix))) {
      const digest = `sha256:${name}`
      stored.push({ digest, verified: (await hashFile(join(blobsDir, "sha256", prefix, name))) === digest })
    }
  }
  return { stored, temporaries: await listOrEmpty(join(blobsDir, "tmp")) }
}

/**
 * What a fault must not leave behind, one line each: a temporary file, a blob that does not hash to its name,
 * or the blob `absent` (the one whose transfer failed). Empty when the store is clean.
 */
export const leftovers = (state: BlobStoreState, absent: string): ReadonlyArray<string> => [
  ...state.temporaries.map((name) => `temporary tmp/${name}`),
  ...state.stored.filter((blob) => !blob.verified).map((blob) => `unverified ${blob.digest}`),
  ...state.stored.filter((blob) => blob.digest === absent).map((blob) => `stored ${blob.digest}`)
]

/**
 * Waits until `digest` is stored and hashes right: a cold pull's client has its last byte before the fsync and
 * rename (ADR 0011), so the file lands a moment after the response.
 */
export const storedSoon = async (blobsDir: string, digest: string): Promise<void> =>
  waitUntil(async () => (await blobStoreState(blobsDir)).stored.some((b) => b.digest === digest && b.verified), 5_000, 50, `${digest} stored`)
