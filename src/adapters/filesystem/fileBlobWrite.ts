import { createHash, randomUUID } from "node:crypto"
import { type FileHandle, mkdir, open, rename } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { BlobStoreError, type BlobWrite, DigestMismatch } from "../../application/ports/BlobStore.js"
import { failure, hexOf, readAt, unlinkIfThere } from "./blobFiles.js"

/**
 * How many bytes a write may have that the disk does not yet hold before it starts flushing them, in the
 * background while the transfer goes on: at commit only the tail is left to fsync, not the whole blob (a
 * 256 MiB fsync takes a fifth of a second here, on the way to a client's last byte).
 */
const FLUSH_EVERY_BYTES = 16 * 1024 * 1024

/** What is left of `chunks` once their first `bytes` bytes are written (a short `writev`). */
const unwritten = (chunks: ReadonlyArray<Uint8Array>, bytes: number): Array<Uint8Array> => {
  const rest: Array<Uint8Array> = []
  let skip = bytes
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length
      continue
    }
    rest.push(skip > 0 ? chunk.subarray(skip) : chunk)
    skip = 0
  }
  return rest
}

/**
 * One write of a blob to `<tmp>/<64 hex>.<uuid>`, hashed as it comes; the commit makes it durable, then
 * visible at `finalPath` by a rename, and only if the digest matches.
 */
export const beginWrite = (tmp: string, finalPath: string, digest: string) =>
  Effect.gen(function*() {
    const tempPath = join(tmp, `${yield* hexOf(digest)}.${randomUUID()}`)
    const handle: FileHandle = yield* Effect.tryPromise({ try: () => open(tempPath, "w+", 0o600), catch: failure("create temporary blob") })
    const hash = createHash("sha256")
    let written = 0
    let closed = false
    // The background flush of the bytes so far, if one runs; its failure fails the commit.
    let flushing: Promise<void> | null = null
    let flushedUpTo = 0
    let flushFailure: unknown = null
    const flushInBackground = () => {
      if (flushing !== null || written - flushedUpTo < FLUSH_EVERY_BYTES) return
      const upTo = written
      flushing = handle.datasync().then(
        () => {
          flushedUpTo = upTo
        },
        (e: unknown) => {
          flushFailure = e
        }
      ).finally(() => {
        flushing = null
      })
    }
    // Once committed or aborted the handle may point at the stored blob: no more writes through it.
    let finished = false
    const unfinished = Effect.suspend(() =>
      finished ? Effect.fail(new BlobStoreError({ message: "the write is already committed or aborted" })) : Effect.void
    )
    const close = Effect.promise(async () => {
      if (closed) return
      closed = true
      await handle.close()
    })
    // Bytes taken so far (hashed), and the write of the last run taken: writes run one after the other,
    // so the file grows without holes (a replica following it reads only bytes that are final).
    let taken = 0
    let tail: Promise<void> = Promise.resolve()
    /** Positional writes: readers of the growing file use the same handle at other offsets. */
    const writeRun = async (run: ReadonlyArray<Uint8Array>, position: number) => {
      let pending = run.filter((chunk) => chunk.length > 0)
      let at = position
      while (pending.length > 0) {
        const { bytesWritten } = await handle.writev(pending, at)
        at += bytesWritten
        pending = unwritten(pending, bytesWritten)
      }
      written = at
      flushInBackground()
    }
    const appendRun = (run: ReadonlyArray<Uint8Array>) =>
      unfinished.pipe(Effect.zipRight(Effect.sync(() => {
        for (const chunk of run) hash.update(chunk)
        const position = taken
        taken += run.reduce((n, c) => n + c.length, 0)
        // A failed write fails every later one: `written` never passes a run that is not in the file.
        const done = tail.then(() => writeRun(run, position))
        tail = done
        // Handled here too, so that a write nobody waits for (the transfer failed) is no unhandled rejection.
        done.catch(() => undefined)
        return Effect.tryPromise({ try: () => done, catch: failure("write blob") })
      })))
    const actualDigest = () => `sha256:${hash.copy().digest("hex")}`
    const write: BlobWrite = {
      append: (chunk) => Effect.flatten(appendRun([chunk])),
      appendRun,
      verify: Effect.suspend(() => {
        const actual = actualDigest()
        return actual === digest ? Effect.void : Effect.fail(new DigestMismatch({ expected: digest, actual }))
      }),
      written: Effect.sync(() => written),
      readWritten: (start, end) =>
        Effect.tryPromise({ try: () => readAt(handle, start, Math.min(end, written) - start), catch: failure("read growing blob") }),
      commit: Effect.gen(function*() {
        yield* unfinished
        finished = true
        yield* Effect.tryPromise({ try: () => tail, catch: failure("write blob") }).pipe(
          Effect.tapError(() => write.abort)
        )
        const actual = actualDigest()
        if (actual !== digest) {
          yield* write.abort
          return yield* new DigestMismatch({ expected: digest, actual })
        }
        // Durable before visible: fsync the bytes, rename into place, fsync the directory entry.
        yield* Effect.tryPromise({
          try: async () => {
            await flushing
            if (flushFailure !== null) throw flushFailure
            await handle.sync()
            const dir = join(finalPath, "..")
            await mkdir(dir, { recursive: true, mode: 0o700 })
            await rename(tempPath, finalPath)
            const dirHandle = await open(dir, "r")
            await dirHandle.sync().finally(() => dirHandle.close())
          },
          catch: failure("commit blob")
        })
      }),
      // Infallible, as the port says: it runs while a failure is being handled, and a crash here would skip what
      // follows it (giving the lease back, cutting the clients off). A file that cannot be removed (a volume gone
      // read-only, EIO) is reported and left to the sweep of stale temporaries at the next start.
      abort: Effect.sync(() => {
        finished = true
      }).pipe(
        Effect.zipRight(Effect.tryPromise({ try: () => unlinkIfThere(tempPath), catch: failure("remove temporary blob file") })),
        Effect.catchAll((error) => Effect.logWarning("a temporary blob file could not be removed", { path: tempPath, reason: error.message }))
      ),
      release: close
    }
    return write
  })
