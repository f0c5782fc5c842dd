import { Effect } from "effect"
import type { CachedBlobView, CachedManifestView } from "../../domain/views.js"
import { LiveView } from "../LiveView.js"

export interface GroupCache {
  /** Tagged manifests (the "images" a person sees), newest first. */
  readonly images: ReadonlyArray<CachedManifestView>
  /** Every cached manifest, tagged or by digest only, one row per digest. */
  readonly manifests: ReadonlyArray<CachedManifestView>
  readonly blobs: ReadonlyArray<CachedBlobView>
  /** Bytes of the group's distinct manifests and blobs. */
  readonly totalSizeBytes: number
}

const newestFirst = <A extends { readonly createdAt: Date }>(a: A, b: A) => b.createdAt.getTime() - a.createdAt.getTime()

/** What a group has cached, for the API, GraphQL and the UI. */
export const groupCache = (groupId: number) =>
  LiveView.pipe(
    Effect.flatMap((view) => view.current),
    Effect.map((state): GroupCache => {
      const all = state.cachedManifestsOf(groupId)
      const byDigest = all.filter((m) => m.tag === null).sort(newestFirst)
      const blobs = [...state.cachedBlobsOf(groupId)].sort(newestFirst)
      const totalSizeBytes = byDigest.reduce((n, m) => n + m.size, 0) + blobs.reduce((n, b) => n + b.size, 0)
      return { images: all.filter((m) => m.tag !== null).sort(newestFirst), manifests: byDigest, blobs, totalSizeBytes }
    })
  )

/** GitLab shows sizes like "1.5 MiB". */
export const humanSize = (bytes: number): string => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"]
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`
}
