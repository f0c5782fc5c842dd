import { Effect } from "effect"
import { createHash } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { lstat, mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative, sep } from "node:path"
import { afterAll } from "vitest"
import * as FileBlobStore from "../../src/adapters/filesystem/FileBlobStore.js"
import { BlobStore } from "../../src/application/ports/BlobStore.js"
import { blobStoreContract, type StoreMedium } from "./blobStoreContract.js"

/** One temporary directory for this file; each test gets its own case directory inside it. */
const base = mkdtempSync(join(tmpdir(), "file-blob-store-contract-"))
afterAll(() => rm(base, { recursive: true, force: true }))

/** Every entry under `dir`, depth first, as paths relative to `dir` with `/` separators, sorted. */
const walk = async (dir: string): Promise<ReadonlyArray<{ readonly path: string; readonly directory: boolean }>> => {
  const found: Array<{ path: string; directory: boolean }> = []
  const visit = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const full = join(at, entry.name)
      found.push({ path: relative(dir, full).split(sep).join("/"), directory: entry.isDirectory() })
      if (entry.isDirectory()) await visit(full)
    }
  }
  await visit(dir)
  return found.sort((a, b) => (a.path < b.path ? -1 : 1))
}

/** The layout the adapter documents, written out here rather than taken from the adapter. */
const blobFile = (digest: string): string => {
  const hex = digest.slice("sha256:".length)
  return `sha256/${hex.slice(0, 2)}/${hex}`
}

const fresh = Effect.gen(function*() {
  const caseDir = yield* Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(base, "case-"))),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )
  // The root sits two levels down so that `<root>/sha256/../../etc/passwd`-style names land on a real file
  // beside it: a store that let such a digest through would read, overwrite or delete this neighbour.
  const root = join(caseDir, "data", "blobs")
  yield* Effect.promise(async () => {
    await mkdir(join(caseDir, "etc"))
    await mkdir(join(caseDir, "data"))
    await writeFile(join(caseDir, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n")
    await writeFile(join(caseDir, "data", "neighbour"), "not a blob\n")
  })
  const store = yield* BlobStore.pipe(Effect.provide(FileBlobStore.layer(root)))
  const medium: StoreMedium = {
    files: Effect.promise(async () => (await walk(root)).filter((e) => !e.directory).map((e) => e.path)),
    blobFile,
    permissions: (path) => Effect.promise(async () => (await stat(join(root, path))).mode & 0o777),
    fingerprint: Effect.promise(async () => {
      const lines: Array<string> = []
      for (const entry of await walk(caseDir)) {
        const full = join(caseDir, entry.path)
        const s = await lstat(full)
        const content = entry.directory ? "" : createHash("sha256").update(await readFile(full)).digest("hex")
        lines.push(`${entry.path} ${s.mode.toString(8)} ${s.size} ${s.mtimeMs} ${content}`)
      }
      return lines.join("\n")
    }),
    corrupt: (digest) =>
      Effect.promise(async () => {
        const handle = await open(join(root, blobFile(digest)), "r+")
        try {
          const byte = Buffer.alloc(1)
          await handle.read(byte, 0, 1, 17)
          byte[0] = (byte[0] ?? 0) ^ 0xff
          await handle.write(byte, 0, 1, 17)
        } finally {
          await handle.close()
        }
      })
  }
  return { store, medium }
})

blobStoreContract("FileBlobStore", { _tag: "OnMedium", fresh })
