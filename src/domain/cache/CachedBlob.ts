import { Either } from "effect"
import type { Decider } from "../Decider.js"
import type { BlobCached, BlobEvent } from "./CacheEvents.js"
import { type RecordRead, readIsDue, readSince } from "./readTracking.js"

/**
 * Stream `blob-<groupId>/<digest>`: one group's cache entry for one blob. Caching what is cached, or
 * forgetting what is not, records nothing.
 */
export interface CachedBlobState {
  readonly cached: boolean
  readonly lastRead: Date | undefined
}

export type CachedBlobCommand =
  | ({ readonly _tag: "CacheBlob" } & Omit<typeof BlobCached.Type, "_tag">)
  | ({ readonly _tag: "RecordBlobRead" } & RecordRead)
  /**
   * The file was missing, the wrong size or corrupt (self-healing, `fsck --repair`), or TTL and purge.
   * `unreadSince`: only if no read is recorded at or after it (the TTL job's cutoff, as for manifests).
   */
  | { readonly _tag: "ForgetBlob"; readonly reason: string; readonly unreadSince?: Date | undefined }

export const CachedBlob: Decider<CachedBlobCommand, BlobEvent, CachedBlobState, never> = {
  initialState: { cached: false, lastRead: undefined },
  evolve: (state, event) => {
    switch (event._tag) {
      case "BlobCached":
        return { ...state, cached: true }
      case "BlobForgotten":
        return { cached: false, lastRead: undefined }
      case "BlobRead":
        return { ...state, lastRead: event.at }
    }
  },
  decide: (command, state) => {
    switch (command._tag) {
      case "CacheBlob": {
        const { _tag, ...entry } = command
        return Either.right(state.cached ? [] : [{ _tag: "BlobCached", ...entry }])
      }
      case "RecordBlobRead":
        return Either.right(state.cached && readIsDue(state.lastRead, command) ? [{ _tag: "BlobRead", at: command.at }] : [])
      case "ForgetBlob":
        return Either.right(state.cached && !readSince(state.lastRead, command.unreadSince) ? [{ _tag: "BlobForgotten", reason: command.reason }] : [])
    }
  }
}
