import { createHash, randomUUID } from "node:crypto"
import { createReadStream } from "node:fs"
import { type FileHandle, mkdir, open, readdir, rename, stat } from "node:fs/promises"
import { join } from "node:path"
import * as NodeStream from "@effect/platform-node/NodeStream"
import { Effect, Layer, Option, Stream } from "effect"
import { type BlobCheck, BlobStore, BlobStoreError, type BlobWrite, DigestMismatch, noWritesForPeers } from "../../application/ports/BlobStore.js"
import { codeOf, failure, hexOf, hexOrNone, openReader, readAt, removeStaleTemporaries, unlinkIfThere } from "./blobFiles.js"

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
 * Blobs under `<root>/sha256/<2 hex>/<64 hex>`, written to `<root>/tmp/<64 hex>.<uuid>` first (the digest in
 * the name lets replicas sharing the directory find a download in progress). Only a digest that
 * matches the grammar becomes a path, so no input can name a file outside the root.
 */
export const layer = (root: string) =>
  Layer.effect(
    BlobStore,
    Effect.gen(function*() {
      const tmp = join(root, "tmp")
      yield* Effect.tryPromise({ try: () => mkdir(tmp, { recursive: true, mode: 0o700 }), catch: failure("create blob store") })
      yield* removeStaleTemporaries(tmp).pipe(
        Effect.tap((removed) => (removed > 0 ? Effect.logInfo("removed temporary blob files left by an interrupted process", { removed }) : Effect.void))
      )

      const pathOf = (digest: string) => hexOf(digest).pipe(Effect.map((hex) => join(root, "sha256", hex.slice(0, 2), hex)))

      const size = (digest: string) =>
        pathOf(digest).pipe(Effect.flatMap((path) =>
          Effect.tryPromise({
            try: () => stat(path).then((s) => Option.some(s.size), (e: unknown) => (codeOf(e) === "ENOENT" ? Option.none() : Promise.reject(e))),
            catch: failure("stat blob")
          })
        ))

      const read = (digest: string, range: { readonly start: number; readonly end: number } | null) =>
        (range !== null && !(Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.end >= range.start)
          ? Effect.fail(new BlobStoreError({ message: `invalid range ${range.start}-${range.end}` }))
          : pathOf(digest)).pipe(Effect.map((path) =>
          NodeStream.fromReadable<BlobStoreError, Uint8Array>(
            () => createReadStream(path, range === null ? {} : { start: range.start, end: range.end }),
            failure("read blob")
          )
        ))

      const begin = (digest: string) =>
        Effect.gen(function*() {
          const finalPath = yield* pathOf(digest)
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
            abort: Effect.sync(() => {
              finished = true
            }).pipe(Effect.zipRight(Effect.promise(() => unlinkIfThere(tempPath)))),
            release: close
          }
          return write
        })

      const openPartial = (digest: string) =>
        hexOf(digest).pipe(
          Effect.flatMap((hex) =>
            Effect.tryPromise({
              try: async () => {
                // The newest attempt: an older file with this digest is one a killed process left behind.
                let newest: { readonly name: string; readonly mtimeMs: number } | null = null
                for (const name of await readdir(tmp)) {
                  if (!name.startsWith(`${hex}.`)) continue
                  const info = await stat(join(tmp, name)).catch((e: unknown) => (codeOf(e) === "ENOENT" ? null : Promise.reject(e)))
                  if (info !== null && (newest === null || info.mtimeMs > newest.mtimeMs)) newest = { name, mtimeMs: info.mtimeMs }
                }
                return newest?.name ?? null
              },
              catch: failure("find partial blob")
            })
          ),
          Effect.flatMap((name) => (name === null ? Effect.succeed(Option.none()) : openReader(name, join(tmp, name), "blob")))
        )

      const openStored = (digest: string) => pathOf(digest).pipe(Effect.flatMap((path) => openReader(digest, path, "blob")))

      const remove = (digest: string) =>
        pathOf(digest).pipe(Effect.flatMap((path) =>
          Effect.tryPromise({
            try: () => unlinkIfThere(path),
            catch: failure("remove blob")
          })
        ))

      const list = Effect.tryPromise({
        try: async () => {
          const prefixes = await readdir(join(root, "sha256")).catch((e: unknown) => (codeOf(e) === "ENOENT" ? [] : Promise.reject(e)))
          const found: Array<{ digest: string; size: number; storedAt: Date }> = []
          for (const prefix of prefixes) {
            for (const name of await readdir(join(root, "sha256", prefix))) {
              if (!/^[a-f0-9]{64}$/.test(name) || !name.startsWith(prefix)) continue
              const info = await stat(join(root, "sha256", prefix, name))
              found.push({ digest: `sha256:${name}`, size: info.size, storedAt: info.mtime })
            }
          }
          return found.sort((a, b) => (a.digest < b.digest ? -1 : 1))
        },
        catch: failure("list blobs")
      })

      const check = (digest: string) =>
        read(digest, null).pipe(
          Effect.flatMap((bytes) =>
            Stream.runFold(bytes, createHash("sha256"), (hash, chunk) => hash.update(chunk)).pipe(
              Effect.map((hash): BlobCheck => (`sha256:${hash.digest("hex")}` === digest ? "ok" : "corrupt"))
            )
          ),
          Effect.catchAll((error) =>
            size(digest).pipe(Effect.flatMap((s) => (Option.isNone(s) ? Effect.succeed<BlobCheck>("missing") : Effect.fail(error))))
          )
        )

      const localFile = (digest: string) => Option.map(hexOrNone(digest), (hex) => join(root, "sha256", hex.slice(0, 2), hex))

      return { size, read, localFile, directUrl: () => Option.none(), begin, openPartial, openWriting: noWritesForPeers, openStored, remove, list, check }
    })
  )
