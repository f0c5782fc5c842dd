import { Effect, Either } from "effect"
import { BlobCached, BlobForgotten, ManifestCached, ManifestExpired } from "../../domain/cache/CacheEvents.js"
import type { Decider } from "../../domain/Decider.js"
import type { BlobEvent, ManifestEvent } from "../../domain/cache/CacheEvents.js"
import { BlobStream, ManifestStream, streamId } from "../../domain/streams.js"
import { BlobReads, ManifestReads } from "../../domain/cache/readTracking.js"
import { decision, handleCommand } from "../commandHandler.js"

/**
 * Cache entries are facts observed, not requests to judge: the decider records what it is given. Their
 * streams still go through the command handler, for the expected-version append and the hash chain.
 */
export const recorder = <E>(): Decider<ReadonlyArray<E>, E, null, never> => ({
  initialState: null,
  evolve: (state) => state,
  decide: (events) => Either.right(events)
})

export const manifestStreamId = (groupId: number, image: string) => streamId("manifest", `${groupId}/${image}`)
export const blobStreamId = (groupId: number, digest: string) => streamId("blob", `${groupId}/${digest}`)

export const recordManifest = (entry: Omit<typeof ManifestCached.Type, "_tag">) =>
  handleCommand(Effect.succeed([
    decision(ManifestStream, recorder<ManifestEvent>(), manifestStreamId(entry.groupId, entry.image), () =>
      Either.right([ManifestCached.make(entry)]))
  ]))

export const recordBlob = (entry: Omit<typeof BlobCached.Type, "_tag">) =>
  handleCommand(Effect.succeed([
    decision(BlobStream, recorder<BlobEvent>(), blobStreamId(entry.groupId, entry.digest), () =>
      Either.right([BlobCached.make(entry)]))
  ]))

export const recordManifestRead = (groupId: number, image: string, digest: string, tag: string | null, at: Date, minIntervalMs: number) =>
  handleCommand(Effect.succeed([
    decision(ManifestStream, ManifestReads, manifestStreamId(groupId, image), () => Either.right({ digest, tag, at, minIntervalMs }))
  ]))

export const recordBlobRead = (groupId: number, digest: string, at: Date, minIntervalMs: number) =>
  handleCommand(Effect.succeed([
    decision(BlobStream, BlobReads, blobStreamId(groupId, digest), () => Either.right({ at, minIntervalMs }))
  ]))

/** Drops a cached manifest (TTL expiry or purge) together with every tag that pointed at it. */
export const expireManifest = (groupId: number, image: string, digest: string, tags: ReadonlyArray<string>, reason: "ttl" | "purge") =>
  handleCommand(Effect.succeed([
    decision(ManifestStream, recorder<ManifestEvent>(), manifestStreamId(groupId, image), () =>
      Either.right([ManifestExpired.make({ digest, tags: [...tags], reason })]))
  ]))

export const forgetBlob = (groupId: number, digest: string, reason: string) =>
  handleCommand(Effect.succeed([
    decision(BlobStream, recorder<BlobEvent>(), blobStreamId(groupId, digest), () => Either.right([BlobForgotten.make({ reason })]))
  ]))
