/**
 * The store's memory of small objects (manifests, configs), least recently used first out. Cached manifests
 * then answer without a round trip to S3, and keep answering while S3 is down; blob layers, which are large,
 * never enter it. Content-addressed, so an entry never goes stale: only `forget` (a removal) drops one early.
 */
export interface SmallObjects {
  readonly get: (digest: string) => Uint8Array | undefined
  readonly remember: (digest: string, bytes: Uint8Array) => void
  readonly forget: (digest: string) => void
  /** Whether an object of this size is worth remembering. */
  readonly fits: (size: number) => boolean
}

export const makeSmallObjects = (limits: { readonly maxObjectBytes: number; readonly maxTotalBytes: number }): SmallObjects => {
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recently used.
  const entries = new Map<string, Uint8Array>()
  let total = 0
  const forget = (digest: string) => {
    const found = entries.get(digest)
    if (found === undefined) return
    entries.delete(digest)
    total -= found.length
  }
  return {
    get: (digest) => {
      const found = entries.get(digest)
      if (found !== undefined) {
        entries.delete(digest)
        entries.set(digest, found)
      }
      return found
    },
    remember: (digest, bytes) => {
      if (bytes.length > limits.maxObjectBytes) return
      forget(digest)
      entries.set(digest, bytes)
      total += bytes.length
      for (const [oldest, value] of entries) {
        if (total <= limits.maxTotalBytes) break
        entries.delete(oldest)
        total -= value.length
      }
    },
    forget,
    fits: (size) => size <= limits.maxObjectBytes
  }
}
