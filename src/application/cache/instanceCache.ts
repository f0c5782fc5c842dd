import { Effect } from "effect"
import { LiveView } from "../LiveView.js"

export interface InstanceCacheTotals {
  readonly groups: number
  /** Cached manifests, one per group and digest (tags are names for them, not more manifests). */
  readonly manifests: number
  /** Blob entries, one per group and digest. */
  readonly blobs: number
  /** Bytes of every group's manifests and blobs, as the groups' own totals add up. */
  readonly bytes: number
  /** Distinct blob digests and their bytes: what the blob store holds, as groups share files by digest. */
  readonly distinctBlobs: number
  readonly distinctBlobBytes: number
}

/** What the whole instance has cached, for the admin area: every group's cache index added up (a scan). */
export const instanceCacheTotals = LiveView.pipe(
  Effect.flatMap((view) => view.current),
  Effect.map((state): InstanceCacheTotals => {
    const groups = state.allGroups()
    const distinct = new Map<string, number>()
    let manifests = 0
    let blobs = 0
    let bytes = 0
    for (const group of groups) {
      for (const manifest of state.cachedManifestsOf(group.groupId)) {
        if (manifest.tag !== null) continue
        manifests += 1
        bytes += manifest.size
      }
      for (const blob of state.cachedBlobsOf(group.groupId)) {
        blobs += 1
        bytes += blob.size
        distinct.set(blob.digest, blob.size)
      }
    }
    const distinctBlobBytes = [...distinct.values()].reduce((n, size) => n + size, 0)
    return { groups: groups.length, manifests, blobs, bytes, distinctBlobs: distinct.size, distinctBlobBytes }
  })
)
