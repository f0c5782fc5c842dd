import { Clock, Context, Effect, Layer, Option, Schema } from "effect"
import type { AccessLevel } from "../domain/AccessLevel.js"
import { defaultInstanceSettings, InstanceSettings } from "../domain/instance/InstanceSettings.js"
import type { JsonObject } from "../domain/Json.js"
import { GroupsByPath, type ReadModelIndex, TokensByDigest, UsersByName } from "../domain/readModelIndexes.js"
import {
  CachedBlobView,
  cachedBlobId,
  cachedManifestId,
  CachedManifestView,
  CacheKinds,
  GroupView,
  IndexView, INSTANCE_SETTINGS_ID, Kinds, MembershipView, SsoSessionView, ssoSessionId, TokenView, UserView } from "../domain/views.js"
import { checkpointOf, compareCheckpoints, EventStore, type EventStoreUnavailable, startOfLog } from "./ports/EventStore.js"
import { Projector } from "./ports/Projector.js"
import { ReadModelMap } from "./projection.js"

/** A consistent, in-memory picture of what authentication, authorization and the cache's hot path look at. */
export interface LiveState {
  /** The position of the last event the view applied (the latest in reading order, not the highest). */
  readonly position: number
  readonly user: (userId: number) => Option.Option<UserView>
  readonly userNamed: (username: string) => Option.Option<UserView>
  readonly group: (groupId: number) => Option.Option<GroupView>
  readonly allGroups: () => ReadonlyArray<GroupView>
  readonly groupAt: (fullPath: string) => Option.Option<GroupView>
  readonly token: (tokenId: number) => Option.Option<TokenView>
  readonly tokenWithDigest: (digest: string) => Option.Option<TokenView>
  /** A user's direct memberships that have not expired by the time the view was asked for, by group id. */
  readonly membershipsOf: (userId: number) => ReadonlyMap<number, AccessLevel>
  readonly ssoSession: (userId: number, groupId: number) => Option.Option<SsoSessionView>
  readonly instanceSettings: () => InstanceSettings
  /** The cache index: a manifest cached for a group by tag or digest, and a group's blob entry. */
  readonly cachedManifest: (groupId: number, image: string, reference: { readonly tag: string } | { readonly digest: string }) => Option.Option<CachedManifestView>
  readonly cachedBlob: (groupId: number, digest: string) => Option.Option<CachedBlobView>
  /** A group's whole cache index (a scan: for listings and cleanup, not the pull path). */
  readonly cachedManifestsOf: (groupId: number) => ReadonlyArray<CachedManifestView>
  readonly cachedBlobsOf: (groupId: number) => ReadonlyArray<CachedBlobView>
  /** Every group id with a cache entry, deleted groups' included (a scan: for cleanup). */
  readonly cachedGroupIds: () => ReadonlySet<number>
}

export interface LiveViewShape {
  /** The view as of the last committed position this process knows of; catches up first if behind. */
  readonly current: Effect.Effect<LiveState, EventStoreUnavailable>
  /**
   * The view after reading the log itself, not waiting to hear of commits: for sign-in, so a credential
   * created through another replica a moment ago is known (one query; the registry's hot path uses `current`).
   */
  readonly latest: Effect.Effect<LiveState, EventStoreUnavailable>
}

/**
 * The read models held in memory (auth: users, groups, memberships, tokens, SSO; and the cache index), so that every registry request can re-check its credential without a
 * database query. It follows the log: when the store reports a checkpoint beyond the view's, the view reads
 * the new events and applies the same projector as the stored read models.
 */
export class LiveView extends Context.Tag("dependency-proxy/LiveView")<LiveView, LiveViewShape>() {}

const PAGE = 5_000

const decodeDoc = <A, I>(schema: Schema.Schema<A, I>) => (doc: JsonObject | undefined): Option.Option<A> =>
  doc === undefined ? Option.none() : Option.some(Schema.decodeUnknownSync(schema)(doc))

/** A user's direct memberships by group id: the role and when it ends (epoch ms; null: never). */
type MembershipIndex = ReadonlyMap<number, ReadonlyMap<number, { readonly level: AccessLevel; readonly endsAt: number | null }>>

const activeMemberships = (memberships: MembershipIndex, userId: number, now: number): ReadonlyMap<number, AccessLevel> => {
  const active = new Map<number, AccessLevel>()
  for (const [groupId, m] of memberships.get(userId) ?? []) if (m.endsAt === null || now < m.endsAt) active.set(groupId, m.level)
  return active
}

/**
 * The view as of `now`: an expired membership grants nothing from the moment it ends, with no event at that
 * moment (ADR 0022), so each read of the view is bound to the clock then.
 */
const asOf = (snapshot: Snapshot, now: number): LiveState => ({
  ...snapshot.state,
  membershipsOf: (userId) => activeMemberships(snapshot.memberships, userId, now)
})

/** What a catch-up leaves: the view without the clock, and the memberships with their ends. */
interface Snapshot {
  readonly state: Omit<LiveState, "membershipsOf">
  readonly memberships: MembershipIndex
}

const stateOf = (models: ReadModelMap, position: number): Omit<LiveState, "membershipsOf"> => {
  const byIndex = <A, I>(schema: Schema.Schema<A, I>, by: ReadModelIndex, value: string) =>
    decodeDoc(IndexView)(models.get(by.index, by.key(value))).pipe(
      Option.flatMap((index) => decodeDoc(schema)(models.get(by.target, String(index.id))))
    )
  return {
    position,
    user: (id) => decodeDoc(UserView)(models.get(Kinds.user, String(id))),
    userNamed: (name) => byIndex(UserView, UsersByName, name),
    group: (id) => decodeDoc(GroupView)(models.get(Kinds.group, String(id))),
    allGroups: () => [...models.rowsOf(Kinds.group)].map((r) => Schema.decodeUnknownSync(GroupView)(r.doc)),
    groupAt: (path) => byIndex(GroupView, GroupsByPath, path),
    token: (id) => decodeDoc(TokenView)(models.get(Kinds.token, String(id))),
    tokenWithDigest: (digest) => byIndex(TokenView, TokensByDigest, digest),
    ssoSession: (userId, groupId) => decodeDoc(SsoSessionView)(models.get(Kinds.ssoSession, ssoSessionId(userId, groupId))),
    instanceSettings: () =>
      Option.getOrElse(decodeDoc(InstanceSettings)(models.get(Kinds.instance, INSTANCE_SETTINGS_ID)), () => defaultInstanceSettings),
    cachedManifest: (groupId, image, reference) =>
      decodeDoc(CachedManifestView)(models.get(CacheKinds.manifest, cachedManifestId(groupId, image, reference))),
    cachedBlob: (groupId, digest) => decodeDoc(CachedBlobView)(models.get(CacheKinds.blob, cachedBlobId(groupId, digest))),
    cachedManifestsOf: (groupId) =>
      [...models.rowsOf(CacheKinds.manifest)].filter((r) => r.id.startsWith(`${groupId}/`)).map((r) => Schema.decodeUnknownSync(CachedManifestView)(r.doc)),
    cachedBlobsOf: (groupId) =>
      [...models.rowsOf(CacheKinds.blob)].filter((r) => r.id.startsWith(`${groupId}/`)).map((r) => Schema.decodeUnknownSync(CachedBlobView)(r.doc)),
    cachedGroupIds: () =>
      new Set([...models.rowsOf(CacheKinds.manifest), ...models.rowsOf(CacheKinds.blob)].map((r) => Number(r.id.slice(0, r.id.indexOf("/")))))
  }
}

/** Memberships indexed by user; rebuilt only when a catch-up brought new events. */
const membershipIndex = (models: ReadModelMap): MembershipIndex => {
  const index = new Map<number, Map<number, { readonly level: AccessLevel; readonly endsAt: number | null }>>()
  for (const row of models.rowsOf(Kinds.membership)) {
    const m = Schema.decodeUnknownSync(MembershipView)(row.doc)
    const forUser = index.get(m.userId) ?? new Map()
    forUser.set(m.groupId, { level: m.accessLevel, endsAt: m.expiresAt?.getTime() ?? null })
    index.set(m.userId, forUser)
  }
  return index
}

export const LiveViewLayer = Layer.effect(
  LiveView,
  Effect.gen(function*() {
    const store = yield* EventStore
    const projector = yield* Projector
    const models = new ReadModelMap()
    // Where the view got to in the log's reading order (by transaction, then position; ADR 0013).
    let checkpoint = startOfLog
    let snapshot: Snapshot = { state: stateOf(models, 0), memberships: new Map() }
    // One catch-up at a time; requests arriving meanwhile wait for it rather than reading the log again.
    const lock = yield* Effect.makeSemaphore(1)

    const catchUp = lock.withPermits(1)(
      Effect.gen(function*() {
        let changed = false
        while (true) {
          const page = yield* store.readAll(checkpoint, PAGE)
          for (const event of page) models.apply(projector, event)
          const last = page.at(-1)
          if (last !== undefined) {
            checkpoint = checkpointOf(last)
            changed = true
          }
          if (page.length < PAGE) break
        }
        if (changed) snapshot = { state: stateOf(models, checkpoint.position), memberships: membershipIndex(models) }
        return snapshot
      })
    )
    const atClock = (taken: Snapshot) => Clock.currentTimeMillis.pipe(Effect.map((millis) => asOf(taken, millis)))

    yield* catchUp
    return {
      current: store.lastKnownCheckpoint.pipe(
        Effect.flatMap((known) => (compareCheckpoints(known, checkpoint) > 0 ? catchUp : Effect.succeed(snapshot))),
        Effect.flatMap(atClock)
      ),
      latest: catchUp.pipe(Effect.flatMap(atClock))
    }
  })
)
