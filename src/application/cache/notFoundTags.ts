/** At most this many tags are remembered; the oldest go first, so a loop over random tags cannot grow memory. */
const CAPACITY = 10_000

export interface NotFoundTags {
  /** Whether upstream said 404 for `key` less than the TTL ago. */
  readonly has: (key: string, nowMs: number) => boolean
  readonly remember: (key: string, nowMs: number) => void
  /** The tag was fetched after all: nothing may hold it back any more. */
  readonly forget: (key: string) => void
}

/**
 * Tags upstream recently answered 404 for (ADR 0012), so a CI loop asking for a missing tag does not spend
 * the group's Docker Hub rate limit. In this process's memory only: another replica asks once for itself.
 */
export const notFoundTags = (ttlMs: number): NotFoundTags => {
  const until = new Map<string, number>()
  return {
    has: (key, nowMs) => {
      const expiry = until.get(key)
      if (expiry === undefined) return false
      if (expiry > nowMs) return true
      until.delete(key)
      return false
    },
    remember: (key, nowMs) => {
      if (ttlMs <= 0) return
      // Re-inserted, so the map's order stays the order of expiry.
      until.delete(key)
      until.set(key, nowMs + ttlMs)
      if (until.size > CAPACITY) {
        const oldest = until.keys().next()
        if (oldest.done !== true) until.delete(oldest.value)
      }
    },
    forget: (key) => void until.delete(key)
  }
}
