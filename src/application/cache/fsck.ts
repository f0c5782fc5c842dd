import { Effect, Schema } from "effect"
import { CachedBlobView, CachedManifestView, CacheKinds } from "../../domain/views.js"
import { BlobStore, type BlobCheck } from "../ports/BlobStore.js"
import { ReadModels } from "../ports/ReadModels.js"
import { forgetBlob } from "./cacheEvents.js"

export interface FsckProblem {
  readonly digest: string
  readonly status: Exclude<BlobCheck, "ok">
  /** Cache entries that point at it: `blob <group>` or `manifest <group>/<image>`. */
  readonly usedBy: ReadonlyArray<string>
}

export interface FsckReport {
  readonly checked: number
  readonly problems: ReadonlyArray<FsckProblem>
  readonly repaired: boolean
}

/**
 * Checks every file the cache index points at against its digest (SPEC §8 `fsck`). With `repair`, blob
 * entries whose file is missing or corrupt are forgotten and corrupt files removed, so the next pull fetches
 * them again; manifests heal themselves on the next read once their bad file is gone.
 */
export const fsck = (repair: boolean) =>
  Effect.gen(function*() {
    const models = yield* ReadModels
    const store = yield* BlobStore
    const users = new Map<string, Array<string>>()
    const blobEntries: Array<CachedBlobView> = []
    for (const row of yield* models.list(CacheKinds.blob)) {
      const blob = Schema.decodeUnknownSync(CachedBlobView)(row.doc)
      blobEntries.push(blob)
      users.set(blob.digest, [...(users.get(blob.digest) ?? []), `blob ${blob.groupId}`])
    }
    for (const row of yield* models.list(CacheKinds.manifest)) {
      const manifest = Schema.decodeUnknownSync(CachedManifestView)(row.doc)
      const label = `manifest ${manifest.groupId}/${manifest.image}`
      const seen = users.get(manifest.digest) ?? []
      if (!seen.includes(label)) users.set(manifest.digest, [...seen, label])
    }
    const problems: Array<FsckProblem> = []
    for (const [digest, usedBy] of [...users.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const status = yield* store.check(digest)
      if (status !== "ok") problems.push({ digest, status, usedBy })
    }
    if (repair) {
      for (const problem of problems) {
        if (problem.status === "corrupt") yield* store.remove(problem.digest)
        for (const entry of blobEntries.filter((b) => b.digest === problem.digest)) {
          yield* forgetBlob(entry.groupId, entry.digest, `fsck: ${problem.status} file`)
        }
      }
    }
    return { checked: users.size, problems, repaired: repair } satisfies FsckReport
  })
