import { Context, Effect, Layer, Option, Schema } from "effect"
import type { AccessLevel } from "../../domain/AccessLevel.js"
import { normalizePath } from "../../domain/group/GroupPath.js"
import type { JsonObject } from "../../domain/Json.js"
import { normalizeUsername } from "../../domain/user/UserValidation.js"
import { GroupView, IndexView, Kinds, MembershipView, SsoSessionView, ssoSessionId, TokenView, UserView } from "../../domain/views.js"
import { EventStore, type EventStoreUnavailable } from "../ports/EventStore.js"
import { Projector } from "../ports/Projector.js"
import { ReadModelMap } from "../projection.js"

/** A consistent, in-memory picture of everything authentication and authorization look at. */
export interface AuthState {
  readonly position: number
  readonly user: (userId: number) => Option.Option<UserView>
  readonly userNamed: (username: string) => Option.Option<UserView>
  readonly group: (groupId: number) => Option.Option<GroupView>
  readonly groupAt: (fullPath: string) => Option.Option<GroupView>
  readonly token: (tokenId: number) => Option.Option<TokenView>
  readonly tokenWithDigest: (digest: string) => Option.Option<TokenView>
  /** A user's direct memberships, by group id. */
  readonly membershipsOf: (userId: number) => ReadonlyMap<number, AccessLevel>
  readonly ssoSession: (userId: number, groupId: number) => Option.Option<SsoSessionView>
}

export interface AuthViewShape {
  /** The view as of the last committed position this process knows of; catches up first if behind. */
  readonly current: Effect.Effect<AuthState, EventStoreUnavailable>
}

/**
 * The auth projections held in memory, so that every registry request can re-check its credential without a
 * database query. It follows the log: when the store reports a position beyond the view's, the view reads
 * the new events and applies the same projector as the stored read models.
 */
export class AuthView extends Context.Tag("dependency-proxy/AuthView")<AuthView, AuthViewShape>() {}

const PAGE = 5_000

const decodeDoc = <A, I>(schema: Schema.Schema<A, I>) => (doc: JsonObject | undefined): Option.Option<A> =>
  doc === undefined ? Option.none() : Option.some(Schema.decodeUnknownSync(schema)(doc))

const stateOf = (models: ReadModelMap, position: number, memberships: ReadonlyMap<number, ReadonlyMap<number, AccessLevel>>): AuthState => {
  const byIndex = <A, I>(schema: Schema.Schema<A, I>, indexKind: string, kind: string, key: string) =>
    decodeDoc(IndexView)(models.get(indexKind, key)).pipe(
      Option.flatMap((index) => decodeDoc(schema)(models.get(kind, String(index.id))))
    )
  return {
    position,
    user: (id) => decodeDoc(UserView)(models.get(Kinds.user, String(id))),
    userNamed: (name) => byIndex(UserView, Kinds.userByName, Kinds.user, normalizeUsername(name)),
    group: (id) => decodeDoc(GroupView)(models.get(Kinds.group, String(id))),
    groupAt: (path) => byIndex(GroupView, Kinds.groupByPath, Kinds.group, normalizePath(path)),
    token: (id) => decodeDoc(TokenView)(models.get(Kinds.token, String(id))),
    tokenWithDigest: (digest) => byIndex(TokenView, Kinds.tokenByDigest, Kinds.token, digest),
    membershipsOf: (userId) => memberships.get(userId) ?? new Map(),
    ssoSession: (userId, groupId) => decodeDoc(SsoSessionView)(models.get(Kinds.ssoSession, ssoSessionId(userId, groupId)))
  }
}

/** Memberships indexed by user; rebuilt only when a catch-up brought new events. */
const membershipIndex = (models: ReadModelMap) => {
  const index = new Map<number, Map<number, AccessLevel>>()
  for (const row of models.rowsOf(Kinds.membership)) {
    const m = Schema.decodeUnknownSync(MembershipView)(row.doc)
    const forUser = index.get(m.userId) ?? new Map<number, AccessLevel>()
    forUser.set(m.groupId, m.accessLevel)
    index.set(m.userId, forUser)
  }
  return index
}

export const AuthViewLive = Layer.effect(
  AuthView,
  Effect.gen(function*() {
    const store = yield* EventStore
    const projector = yield* Projector
    const models = new ReadModelMap()
    let position = 0
    let state = stateOf(models, 0, new Map())
    // One catch-up at a time; requests arriving meanwhile wait for it rather than reading the log again.
    const lock = yield* Effect.makeSemaphore(1)

    const catchUp = lock.withPermits(1)(
      Effect.gen(function*() {
        let changed = false
        while (true) {
          const page = yield* store.readAll(position, PAGE)
          for (const event of page) models.apply(projector, event)
          const last = page.at(-1)
          if (last !== undefined) {
            position = last.globalPosition
            changed = true
          }
          if (page.length < PAGE) break
        }
        if (changed) state = stateOf(models, position, membershipIndex(models))
        return state
      })
    )

    yield* catchUp
    return {
      current: store.lastKnownPosition.pipe(
        Effect.flatMap((known) => (known > position ? catchUp : Effect.succeed(state)))
      )
    }
  })
)
