import { Clock, Effect, Either } from "effect"
import type { BlobCached, ManifestCached } from "../../domain/cache/CacheEvents.js"
import { CachedBlob, type CachedBlobCommand } from "../../domain/cache/CachedBlob.js"
import { CachedManifests, type CachedManifestsCommand } from "../../domain/cache/CachedManifests.js"
import { BlobStream, ManifestStream, streamId } from "../../domain/streams.js"
import { decision, handleCommand } from "../commandHandler.js"

export const manifestStreamId = (groupId: number, image: string) => streamId("manifest", `${groupId}/${image}`)
export const blobStreamId = (groupId: number, digest: string) => streamId("blob", `${groupId}/${digest}`)

/** One command on a group's manifest stream for an image, decided against that stream (CachedManifests). */
const onManifests = (groupId: number, image: string, command: CachedManifestsCommand) =>
  handleCommand(Effect.succeed([decision(ManifestStream, CachedManifests, manifestStreamId(groupId, image), () => Either.right(command))]))

/** One command on a group's blob entry, decided against its stream (CachedBlob). */
const onBlob = (groupId: number, digest: string, command: CachedBlobCommand) =>
  handleCommand(Effect.succeed([decision(BlobStream, CachedBlob, blobStreamId(groupId, digest), () => Either.right(command))]))

/** A manifest fetched and stored: recorded only if it is news (a new digest, or a tag that moved). */
export const recordManifest = (entry: Omit<typeof ManifestCached.Type, "_tag">) =>
  Clock.currentTimeMillis.pipe(Effect.flatMap((now) => onManifests(entry.groupId, entry.image, { _tag: "CacheManifest", ...entry, at: new Date(now) })))

export const recordBlob = (entry: Omit<typeof BlobCached.Type, "_tag">) => onBlob(entry.groupId, entry.digest, { _tag: "CacheBlob", ...entry })

export const recordManifestRead = (groupId: number, image: string, digest: string, tag: string | null, at: Date, minIntervalMs: number) =>
  onManifests(groupId, image, { _tag: "RecordManifestRead", digest, tag, at, minIntervalMs })

export const recordBlobRead = (groupId: number, digest: string, at: Date, minIntervalMs: number) =>
  onBlob(groupId, digest, { _tag: "RecordBlobRead", at, minIntervalMs })

/**
 * Drops a cached manifest (TTL expiry or purge) together with every tag that points at it; with `unreadSince`,
 * only if it has not been read since then.
 */
export const expireManifest = (groupId: number, image: string, digest: string, reason: "ttl" | "purge", unreadSince?: Date) =>
  onManifests(groupId, image, { _tag: "ExpireManifest", digest, reason, unreadSince })

export const forgetBlob = (groupId: number, digest: string, reason: string, unreadSince?: Date) =>
  onBlob(groupId, digest, { _tag: "ForgetBlob", reason, unreadSince })
