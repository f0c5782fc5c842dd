import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { mkdir, readdir, stat } from "node:fs/promises"
import { join } from "node:path"
import * as NodeStream from "@effect/platform-node/NodeStream"
import { Effect, Layer, Option, Stream } from "effect"
import { type BlobCheck, BlobStore, BlobStoreError, noWritesForPeers } from "../../application/ports/BlobStore.js"
import { codeOf, failure, hexOf, hexOrNone, openReader, removeStaleTemporaries, unlinkIfThere } from "./blobFiles.js"
import { beginWrite } from "./fileBlobWrite.js"

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

      const begin = (digest: string) => pathOf(digest).pipe(Effect.flatMap((finalPath) => beginWrite(tmp, finalPath, digest)))

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
