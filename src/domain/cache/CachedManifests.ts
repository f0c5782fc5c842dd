import { Either } from "effect"
import type { Decider } from "../Decider.js"
import type { ManifestEvent } from "./CacheEvents.js"
import { type RecordRead, readIsDue, readSince } from "./readTracking.js"

/**
 * Stream `manifest-<groupId>/<image>`: what one group has cached of one image. Entries are facts observed
 * upstream, but whether a fact is new is the stream's to say: a tag already pointing at the same digest and
 * media type, or a digest already cached, records nothing, so concurrent pulls agree on one event.
 */
export interface CachedManifestsState {
  /** Digest → what was cached. */
  readonly digests: ReadonlyMap<string, { readonly mediaType: string; readonly size: number }>
  /** Tag → the digest it points at. */
  readonly tags: ReadonlyMap<string, string>
  /** Digest → its last recorded read. */
  readonly reads: ReadonlyMap<string, Date>
}

export type CachedManifestsCommand =
  | {
    readonly _tag: "CacheManifest"
    readonly groupId: number
    readonly image: string
    /** The tag it was pulled by; null when pulled by digest. */
    readonly tag: string | null
    readonly digest: string
    readonly mediaType: string
    readonly size: number
    /** When it was pulled: caching a digest already cached is a read of it (see `decide`). */
    readonly at: Date
  }
  | ({ readonly _tag: "RecordManifestRead"; readonly digest: string; readonly tag: string | null } & RecordRead)
  /** TTL expiry or purge: the digest goes, with every tag that points at it now. */
  /**
   * `unreadSince`: only if no read is recorded at or after it (the TTL job's cutoff), so that a pull between the
   * job's look at the cache and this command keeps the entry it just read.
   */
  | { readonly _tag: "ExpireManifest"; readonly digest: string; readonly reason: "ttl" | "purge"; readonly unreadSince?: Date | undefined }

const initialState: CachedManifestsState = { digests: new Map(), tags: new Map(), reads: new Map() }

const evolve = (state: CachedManifestsState, event: ManifestEvent): CachedManifestsState => {
  switch (event._tag) {
    case "ManifestCached": {
      const digests = new Map(state.digests).set(event.digest, { mediaType: event.mediaType, size: event.size })
      const tags = event.tag === null ? state.tags : new Map(state.tags).set(event.tag, event.digest)
      return { ...state, digests, tags }
    }
    case "ManifestRead":
      return { ...state, reads: new Map(state.reads).set(event.digest, event.at) }
    case "ManifestExpired": {
      const digests = new Map(state.digests)
      digests.delete(event.digest)
      const tags = new Map([...state.tags].filter(([tag]) => !event.tags.includes(tag)))
      const reads = new Map(state.reads)
      reads.delete(event.digest)
      return { digests, tags, reads }
    }
  }
}

const tagsPointingAt = (state: CachedManifestsState, digest: string): Array<string> =>
  [...state.tags].filter(([, d]) => d === digest).map(([tag]) => tag).sort()

export const CachedManifests: Decider<CachedManifestsCommand, ManifestEvent, CachedManifestsState, never> = {
  initialState,
  evolve,
  decide: (command, state) => {
    switch (command._tag) {
      case "CacheManifest": {
        const known = state.digests.get(command.digest)
        const sameContent = known !== undefined && known.mediaType === command.mediaType
        const alreadyThere = command.tag === null ? sameContent : sameContent && state.tags.get(command.tag) === command.digest
        if (alreadyThere) return Either.right([])
        const { _tag, at, ...entry } = command
        const cached: ManifestEvent = { _tag: "ManifestCached", ...entry }
        // A digest cached before, now under a new tag (or a tag that moved back to it), was just pulled: a read,
        // so a TTL job that judged it unread a moment ago does not expire it with the tag just cached.
        const last = state.reads.get(command.digest)
        const read = known !== undefined && (last === undefined || last.getTime() < at.getTime())
        return Either.right(read ? [cached, { _tag: "ManifestRead", tag: command.tag, digest: command.digest, at }] : [cached])
      }
      case "RecordManifestRead":
        return Either.right(
          readIsDue(state.reads.get(command.digest), command)
            ? [{ _tag: "ManifestRead", tag: command.tag, digest: command.digest, at: command.at }]
            : []
        )
      case "ExpireManifest":
        return Either.right(
          state.digests.has(command.digest) && !readSince(state.reads.get(command.digest), command.unreadSince)
            ? [{ _tag: "ManifestExpired", digest: command.digest, tags: tagsPointingAt(state, command.digest), reason: command.reason }]
            : []
        )
    }
  }
}
