import { Either, Schema } from "effect"
import { decodeEvent } from "./eventCodec.js"
import { evolveGroup } from "./group/GroupState.js"
import { defaultSettings } from "./group/GroupState.js"
import { type JsonObject, JsonObjectSchema } from "./Json.js"
import type { HeldDoc, ReadModelChange } from "./ReadModelChange.js"
import { defaultInstanceSettings, evolveInstance, InstanceSettings } from "./instance/InstanceSettings.js"
import {
  BlobStream,
  categoryOf,
  GroupStream,
  InstanceStream,
  ManifestStream,
  SsoStream,
  type StreamType,
  TokenStream,
  UserStream
} from "./streams.js"
import { evolveToken } from "./token/TokenDecider.js"
import { evolveUser } from "./user/UserDecider.js"
import { GroupsByPath, TokensByDigest, UsersByName } from "./readModelIndexes.js"
import {
  CachedBlobView,
  cachedManifestId,
  CachedManifestView,
  CacheKinds,
  GroupView,
  IndexView,
  INSTANCE_SETTINGS_ID,
  Kinds,
  MembershipView,
  membershipId,
  SsoSessionView,
  ssoSessionId,
  TokenView,
  UserView
} from "./views.js"

/** What the projector needs of a stored event. */
export interface StoredEvent {
  readonly globalPosition: number
  readonly streamId: string
  readonly type: string
  readonly schemaVersion: number
  readonly payload: JsonObject
  readonly recordedAt: Date
}

/**
 * A stored document that does not decode, or an event that does not, means the log or the read models were
 * altered outside the application: a defect, not a domain outcome, so these throw and the store's effect dies.
 * One codec per view, made once: a held document remembers its decoded value here, so a replay's `modify`
 * finds it without decoding JSON, and encodes it once when the document is written out.
 */
interface DocCodec<A> {
  readonly read: (json: JsonObject) => A
  readonly write: (value: A) => JsonObject
  readonly hold: (value: A) => HeldDoc
  readonly valueOf: (doc: HeldDoc) => A
}

const codec = <A, I>(schema: Schema.Schema<A, I>): DocCodec<A> => {
  const read = Schema.decodeUnknownSync(schema)
  const encode = Schema.encodeSync(schema)
  const asJson = Schema.decodeUnknownSync(JsonObjectSchema)
  const held = new WeakMap<HeldDoc, A>()
  const write = (value: A): JsonObject => asJson(encode(value))
  return {
    read,
    write,
    hold: (value) => {
      const doc: HeldDoc = { json: () => write(value) }
      held.set(doc, value)
      return doc
    },
    valueOf: (doc) => held.get(doc) ?? read(doc.json())
  }
}

const codecs = {
  group: codec(GroupView),
  index: codec(IndexView),
  membership: codec(MembershipView),
  user: codec(UserView),
  token: codec(TokenView),
  ssoSession: codec(SsoSessionView),
  cachedManifest: codec(CachedManifestView),
  cachedBlob: codec(CachedBlobView),
  instance: codec(InstanceSettings)
}

const put = <A>(c: DocCodec<A>, kind: string, id: string, value: A): ReadModelChange => ({
  kind,
  id,
  update: () => c.write(value),
  updateHeld: () => c.hold(value)
})

const modify = <A>(c: DocCodec<A>, kind: string, id: string, f: (value: A) => A): ReadModelChange => ({
  kind,
  id,
  update: (current) => (current === undefined ? undefined : c.write(f(c.read(current)))),
  updateHeld: (current) => (current === undefined ? undefined : c.hold(f(c.valueOf(current))))
})

const remove = (kind: string, id: string): ReadModelChange => ({ kind, id, update: () => undefined })

const decodeOrDie = <E extends { readonly _tag: string }, I>(stream: StreamType<E, I>, event: StoredEvent): E =>
  Either.getOrThrowWith(decodeEvent(stream, event), (error) => new Error(`undecodable ${event.type} in ${event.streamId}: ${error.message}`))

const keyOf = (streamId: string): string => streamId.slice(streamId.indexOf("-") + 1)

const projectGroup = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeOrDie(GroupStream, event)
  const id = keyOf(event.streamId)
  switch (e._tag) {
    case "GroupCreated": {
      const { _tag, ...fields } = e
      return [
        put(codecs.group, Kinds.group, id, { ...fields, settings: defaultSettings, createdAt: event.recordedAt }),
        put(codecs.index, GroupsByPath.index, GroupsByPath.key(e.fullPath), { id: e.groupId })
      ]
    }
    case "MemberAdded":
      return [
        put(codecs.membership, Kinds.membership, membershipId(Number(id), e.userId), {
          groupId: Number(id),
          userId: e.userId,
          accessLevel: e.accessLevel,
          createdAt: event.recordedAt
        })
      ]
    case "MemberAccessLevelChanged":
      return [
        modify(codecs.membership, Kinds.membership, membershipId(Number(id), e.userId), (m) => ({ ...m, accessLevel: e.accessLevel }))
      ]
    case "MemberRemoved":
      return [remove(Kinds.membership, membershipId(Number(id), e.userId))]
    case "MemberExpiryChanged":
      return [
        modify(codecs.membership, Kinds.membership, membershipId(Number(id), e.userId), (m) => ({ ...m, expiresAt: e.expiresAt }))
      ]
    case "GroupRenamed":
      return [modify(codecs.group, Kinds.group, id, (group) => ({ ...group, name: e.name }))]
    case "GroupDescriptionChanged":
      return [modify(codecs.group, Kinds.group, id, (group) => ({ ...group, description: e.description }))]
    case "GroupPathChanged":
      return [
        modify(codecs.group, Kinds.group, id, (group) => ({ ...group, path: e.path, fullPath: e.fullPath })),
        remove(GroupsByPath.index, GroupsByPath.key(e.previousFullPath)),
        put(codecs.index, GroupsByPath.index, GroupsByPath.key(e.fullPath), { id: Number(id) })
      ]
    case "GroupDeleted":
      // Its memberships went with the MemberRemoved events before this one.
      return [remove(Kinds.group, id), remove(GroupsByPath.index, GroupsByPath.key(e.fullPath))]
    default:
      // Every other group event is a setting: the decider's own evolve computes the new settings.
      return [
        modify(codecs.group, Kinds.group, id, (group) => ({
          ...group,
          settings: evolveGroup({ ...group, description: group.description ?? "", members: new Map(), memberExpiries: new Map() }, e)?.settings ?? group.settings
        }))
      ]
  }
}

const projectUser = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeOrDie(UserStream, event)
  const id = keyOf(event.streamId)
  if (e._tag === "UserCreated") {
    const { _tag, ...fields } = e
    return [
      put(codecs.user, Kinds.user, id, { ...fields, blocked: false, twoFactorEnabled: false, passwordVersion: 0, createdAt: event.recordedAt }),
      put(codecs.index, UsersByName.index, UsersByName.key(e.username), { id: e.userId })
    ]
  }
  if (e._tag === "UserDeleted") return [remove(Kinds.user, id), remove(UsersByName.index, UsersByName.key(e.username))]
  return [modify(codecs.user, Kinds.user, id, (user) => ({ ...user, ...evolveUser(user, e) }))]
}

const projectToken = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeOrDie(TokenStream, event)
  const id = keyOf(event.streamId)
  if (e._tag === "TokenCreated") {
    const { _tag, ...fields } = e
    return [
      put(codecs.token, Kinds.token, id, {
        ...fields,
        revoked: false,
        revokedReason: null,
        lastUsedAt: null,
        createdAt: event.recordedAt
      }),
      put(codecs.index, TokensByDigest.index, TokensByDigest.key(e.digest), { id: e.tokenId })
    ]
  }
  return [modify(codecs.token, Kinds.token, id, (token) => ({ ...token, ...evolveToken(token, e) }))]
}

const projectSso = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeOrDie(SsoStream, event)
  if (e._tag === "SsoSessionStarted") {
    const { _tag, ...fields } = e
    return [put(codecs.ssoSession, Kinds.ssoSession, ssoSessionId(e.userId, e.groupId), { ...fields, ended: false })]
  }
  const [userId, groupId] = keyOf(event.streamId).split("-")
  return [modify(codecs.ssoSession, Kinds.ssoSession, `${userId}/${groupId}`, (s) => ({ ...s, ended: true }))]
}

const projectManifest = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeOrDie(ManifestStream, event)
  if (e._tag === "ManifestExpired") {
    const [groupId, ...imageParts] = keyOf(event.streamId).split("/")
    const image = imageParts.join("/")
    return [
      remove(CacheKinds.manifest, cachedManifestId(Number(groupId), image, { digest: e.digest })),
      ...e.tags.map((tag) => remove(CacheKinds.manifest, cachedManifestId(Number(groupId), image, { tag })))
    ]
  }
  if (e._tag === "ManifestRead") {
    const [groupId, ...imageParts] = keyOf(event.streamId).split("/")
    const image = imageParts.join("/")
    const touch = (id: string) => modify(codecs.cachedManifest, CacheKinds.manifest, id, (m) => ({ ...m, lastReadAt: e.at }))
    const byDigest = touch(cachedManifestId(Number(groupId), image, { digest: e.digest }))
    return e.tag === null ? [byDigest] : [byDigest, touch(cachedManifestId(Number(groupId), image, { tag: e.tag }))]
  }
  const { _tag, ...fields } = e
  const row = { ...fields, position: event.globalPosition, createdAt: event.recordedAt, lastReadAt: event.recordedAt }
  const byDigest = put(codecs.cachedManifest, CacheKinds.manifest, cachedManifestId(e.groupId, e.image, { digest: e.digest }), { ...row, tag: null })
  return e.tag === null
    ? [byDigest]
    : [byDigest, put(codecs.cachedManifest, CacheKinds.manifest, cachedManifestId(e.groupId, e.image, { tag: e.tag }), row)]
}

const projectBlob = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeOrDie(BlobStream, event)
  const id = keyOf(event.streamId)
  switch (e._tag) {
    case "BlobCached":
      return [put(codecs.cachedBlob, CacheKinds.blob, id, {
        position: event.globalPosition,
        groupId: e.groupId,
        digest: e.digest,
        size: e.size,
        image: e.image,
        createdAt: event.recordedAt,
        lastReadAt: event.recordedAt
      })]
    case "BlobForgotten":
      return [remove(CacheKinds.blob, id)]
    case "BlobRead":
      return [modify(codecs.cachedBlob, CacheKinds.blob, id, (b) => ({ ...b, lastReadAt: e.at }))]
  }
}

const projectInstance = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeOrDie(InstanceStream, event)
  const c = codecs.instance
  return [{
    kind: Kinds.instance,
    id: INSTANCE_SETTINGS_ID,
    update: (current) => c.write(evolveInstance(current === undefined ? defaultInstanceSettings : c.read(current), e)),
    updateHeld: (current) => c.hold(evolveInstance(current === undefined ? defaultInstanceSettings : c.valueOf(current), e))
  }]
}

/** The read models' projection of every event in the log. Claim streams project nothing of their own. */
export const project = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  switch (categoryOf(event.streamId)) {
    case GroupStream.category:
      return projectGroup(event)
    case UserStream.category:
      return projectUser(event)
    case TokenStream.category:
      return projectToken(event)
    case SsoStream.category:
      return projectSso(event)
    case ManifestStream.category:
      return projectManifest(event)
    case BlobStream.category:
      return projectBlob(event)
    case InstanceStream.category:
      return projectInstance(event)
    default:
      return []
  }
}
