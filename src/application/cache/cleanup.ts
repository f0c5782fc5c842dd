import { Clock, Effect, Option } from "effect"
import { mayManageGroup } from "../../domain/auth/managementRules.js"
import { GroupNotFound } from "../../domain/errors.js"
import { authorize } from "../issuer.js"
import { groupById } from "../queries.js"
import { LiveView } from "../LiveView.js"
import { BlobStore, type BlobStoreShape } from "../ports/BlobStore.js"
import { expireManifest, forgetBlob } from "./cacheEvents.js"

/** Files younger than this are never collected: their cache entry may be a moment from being recorded. */
export const COLLECTION_GRACE_MS = 10 * 60 * 1000

/**
 * Drops one group's entries: every one (a purge), or those not read since `unreadSince` (TTL); manifests by
 * digest (their streams name the tags), and blobs. The view is a moment old by the time each entry's command is
 * decided, so the TTL's cutoff goes with the command: an entry read meanwhile is kept.
 */
const expireEntries = (groupId: number, reason: "ttl" | "purge", unreadSince?: Date) =>
  Effect.gen(function*() {
    const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
    const due = (entry: { readonly lastReadAt: Date }) => unreadSince === undefined || entry.lastReadAt.getTime() < unreadSince.getTime()
    let expired = 0
    for (const m of state.cachedManifestsOf(groupId).filter((m) => m.tag === null && due(m))) {
      // Counted only when recorded: one read meanwhile, or expired by another replica, records nothing.
      if ((yield* expireManifest(m.groupId, m.image, m.digest, reason, unreadSince)).length > 0) expired += 1
    }
    for (const b of state.cachedBlobsOf(groupId).filter(due)) {
      if ((yield* forgetBlob(b.groupId, b.digest, reason, unreadSince)).length > 0) expired += 1
    }
    return expired
  })

/** Every digest a cache entry of any group points at, as the view is now (caught up first). */
const referencedDigests = Effect.gen(function*() {
  const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
  const referenced = new Set<string>()
  for (const group of state.allGroups()) {
    for (const m of state.cachedManifestsOf(group.groupId)) referenced.add(m.digest)
    for (const b of state.cachedBlobsOf(group.groupId)) referenced.add(b.digest)
  }
  return referenced
})

/** How old the entries a collection judges by may get while it deletes: they are read again after this. */
const REFERENCES_RECHECK_MS = 2_000

/**
 * Deletes blob files that no cache entry of any group points at any more. Files younger than the grace
 * period are left: a download may have just committed one whose entry is being appended. The entries are read
 * after the listing (which takes minutes on a large bucket), and again every two seconds while files go: a
 * pull that re-used a listed file for a new entry meanwhile keeps it.
 */
export const collectUnreferencedFiles = Effect.gen(function*() {
  const store = yield* BlobStore
  const files = yield* store.list
  let referenced = yield* referencedDigests
  let readAt = yield* Clock.currentTimeMillis
  let deleted = 0
  for (const file of files) {
    const now = yield* Clock.currentTimeMillis
    if (now - file.storedAt.getTime() < COLLECTION_GRACE_MS) continue
    if (now - readAt >= REFERENCES_RECHECK_MS) {
      referenced = yield* referencedDigests
      readAt = now
    }
    if (referenced.has(file.digest)) continue
    yield* store.remove(file.digest)
    deleted += 1
  }
  return deleted
})

/** Whether a store's files are being collected now, and whether someone asked again meanwhile. */
const collecting = new WeakMap<BlobStoreShape, { state: "running" | "again" }>()

/**
 * `collectUnreferencedFiles` after a purge or a group deletion, one scan at a time per blob store: asked while
 * one runs, it returns `None` at once and the running scan goes once more when it ends (its view of the
 * entries predates the ones just dropped). Purges in a row, however many, cost two scans, not one each.
 */
export const collectUnreferencedFilesSoon = Effect.gen(function*() {
  const store = yield* BlobStore
  const running = collecting.get(store)
  if (running !== undefined) {
    running.state = "again"
    return Option.none<number>()
  }
  const entry: { state: "running" | "again" } = { state: "running" }
  collecting.set(store, entry)
  // Whether to scan again, decided and recorded in one step: no ask can come between the look and the let-go.
  const another = Effect.sync(() => {
    if (entry.state === "running") {
      collecting.delete(store)
      return false
    }
    entry.state = "running"
    return true
  })
  return yield* Effect.gen(function*() {
    let deleted = 0
    do deleted += yield* collectUnreferencedFiles
    while (yield* another)
    return Option.some(deleted)
  }).pipe(
    // A failed scan lets go too (the next ask scans), but never of a collection begun since by another.
    Effect.ensuring(Effect.sync(() => collecting.get(store) === entry && collecting.delete(store)))
  )
})

/**
 * `DELETE /groups/:id/dependency_proxy/cache`: every entry of the group is dropped at once (so the group
 * stops serving them), then files no other group uses are deleted.
 */
export const purgeGroupCache = (groupId: number) =>
  Effect.gen(function*() {
    const group = yield* groupById(groupId)
    if (Option.isNone(group)) return yield* new GroupNotFound({ group: String(groupId) })
    // Its Owners' or an administrator's, checked here as well as at the routes (ADR 0014); the service's own jobs pass.
    yield* authorize((caller) => mayManageGroup(caller, group.value))
    return yield* expireEntries(groupId, "purge")
  })

/**
 * After `deleteGroup`: the cache entries of every deleted group go (recorded as purges), then the files no
 * remaining group uses, under the same grace period as any collection.
 */
export const purgeDeletedGroups = (groupIds: ReadonlyArray<number>) =>
  // The groups are gone (their deletion was authorized): their entries go as a purge, by the deleting caller.
  Effect.forEach(groupIds, (groupId) => expireEntries(groupId, "purge")).pipe(Effect.zipRight(collectUnreferencedFilesSoon))

/**
 * The TTL job: for each group whose image TTL policy is enabled, entries not read for `ttl` days are
 * dropped, and every entry of a group that no longer exists; then unreferenced files are deleted.
 */
export const cleanup = Effect.gen(function*() {
  const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
  const now = yield* Clock.currentTimeMillis
  let expired = 0
  for (const group of state.allGroups()) {
    const policy = group.settings.ttlPolicy
    if (!policy.enabled) continue
    const cutoff = now - policy.ttlDays * 24 * 60 * 60 * 1000
    expired += yield* expireEntries(group.groupId, "ttl", new Date(cutoff))
  }
  // Entries of deleted groups: a purge after a deletion that was interrupted, or a download that finished after it.
  const live = new Set(state.allGroups().map((g) => g.groupId))
  for (const groupId of state.cachedGroupIds()) {
    if (!live.has(groupId)) expired += yield* expireEntries(groupId, "purge")
  }
  const deleted = yield* collectUnreferencedFiles
  return { expired, filesDeleted: deleted }
})
