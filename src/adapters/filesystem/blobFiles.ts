import { readdir, stat, unlink, type FileHandle, open } from "node:fs/promises"
import { join } from "node:path"
import { Effect, Option } from "effect"
import { type BlobReader, BlobStoreError } from "../../application/ports/BlobStore.js"

/**
 * What both blob stores do with local files and digests: the file store keeps every blob in them, the S3 store
 * spools its writes in progress in them. Only a digest matching this grammar ever becomes a path or a key.
 */
const DIGEST = /^sha256:([a-f0-9]{64})$/

/** The hex of a `sha256:` digest, none if it is not one. */
export const hexOrNone = (digest: string): Option.Option<string> => Option.fromNullable(DIGEST.exec(digest)?.[1])

/** The hex of a `sha256:` digest; anything else is refused before it can name a file or an object. */
export const hexOf = (digest: string): Effect.Effect<string, BlobStoreError> =>
  Effect.suspend(() =>
    Option.match(hexOrNone(digest), {
      onNone: () => Effect.fail(new BlobStoreError({ message: `not a sha256 digest: ${JSON.stringify(digest)}` })),
      onSome: Effect.succeed
    })
  )

export const failure = (action: string) => (cause: unknown) =>
  new BlobStoreError({ message: `${action}: ${cause instanceof Error ? cause.message : String(cause)}` })

/** Runs a promise, any failure of it a `BlobStoreError` naming `action`. */
export const attempt = <A>(action: string, run: () => Promise<A>): Effect.Effect<A, BlobStoreError> =>
  Effect.tryPromise({ try: run, catch: failure(action) })

export const codeOf = (error: unknown): unknown =>
  typeof error === "object" && error !== null && "code" in error ? error.code : undefined

/** Removes `path`; one already gone is not an error (a concurrent cleanup, a retried abort). */
export const unlinkIfThere = (path: string) => unlink(path).catch((e: unknown) => (codeOf(e) === "ENOENT" ? undefined : Promise.reject(e)))

/**
 * Temporary files of downloads a killed process never finished. Only those untouched for an hour go: on a
 * shared volume another replica's download in progress writes to its file all the time.
 */
export const STALE_TEMPORARY_MS = 60 * 60 * 1000

export const removeStaleTemporaries = (tmp: string, now: number = Date.now()) =>
  Effect.tryPromise({
    try: async () => {
      let removed = 0
      for (const name of await readdir(tmp)) {
        const path = join(tmp, name)
        const info = await stat(path).catch((e: unknown) => (codeOf(e) === "ENOENT" ? null : Promise.reject(e)))
        if (info === null || !info.isFile() || now - info.mtimeMs < STALE_TEMPORARY_MS) continue
        await unlinkIfThere(path)
        removed += 1
      }
      return removed
    },
    catch: failure("clean temporary blobs")
  })

/** Up to `length` bytes of `handle` from `position`: fewer at the end of what the file holds. */
export const readAt = async (handle: FileHandle, position: number, length: number): Promise<Uint8Array> => {
  const buffer = Buffer.allocUnsafe(Math.max(0, length))
  let filled = 0
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return buffer.subarray(0, filled)
}

/** Opens `path` for positional reads; none if it does not exist (any more). `what` names it in errors. */
export const openReader = (id: string, path: string, what: string): Effect.Effect<Option.Option<BlobReader>, BlobStoreError> =>
  Effect.tryPromise({
    try: () => open(path, "r").then((h) => Option.some(h), (e: unknown) => (codeOf(e) === "ENOENT" ? Option.none<FileHandle>() : Promise.reject(e))),
    catch: failure(`open ${what}`)
  }).pipe(Effect.map(Option.map((handle): BlobReader => ({
    id,
    size: Effect.tryPromise({ try: () => handle.stat().then((s) => s.size), catch: failure(`stat ${what}`) }),
    read: (start, end) => Effect.tryPromise({ try: () => readAt(handle, start, end - start), catch: failure(`read ${what}`) }),
    close: Effect.promise(() => handle.close().catch(() => undefined))
  }))))
