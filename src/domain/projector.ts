import { codecs, eventDecoder, keyOf, modify, put, remove, type StoredEvent } from "./readModelDocs.js"
import { projectBlob, projectManifest } from "./cacheProjector.js"
import { evolveGroup } from "./group/GroupState.js"
import { defaultSettings } from "./group/GroupState.js"
import type { ReadModelChange } from "./ReadModelChange.js"
import { defaultInstanceSettings, evolveInstance } from "./instance/InstanceSettings.js"
import {
  BlobStream,
  categoryOf,
  GroupStream,
  InstanceStream,
  ManifestStream,
  SsoStream,
  TokenStream,
  UserStream
} from "./streams.js"
import { evolveToken } from "./token/TokenDecider.js"
import { evolveUser } from "./user/UserDecider.js"
import { GroupsByPath, TokensByDigest, UsersByName } from "./readModelIndexes.js"
import { INSTANCE_SETTINGS_ID, Kinds, membershipId, ssoSessionId } from "./views.js"

const decodeGroup = eventDecoder(GroupStream)
const decodeUser = eventDecoder(UserStream)
const decodeToken = eventDecoder(TokenStream)
const decodeSso = eventDecoder(SsoStream)
const decodeInstance = eventDecoder(InstanceStream)

const projectGroup = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeGroup(event)
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
    case "SubgroupCreated":
      // The subgroup's own GroupCreated, in the same append, writes its document.
      return []
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
  const e = decodeUser(event)
  const id = keyOf(event.streamId)
  if (e._tag === "UserCreated") {
    const { _tag, ...fields } = e
    return [
      put(codecs.user, Kinds.user, id, { ...fields, blocked: false, twoFactorEnabled: false, passwordVersion: 0, endedSessions: [], sessionsEndedUntil: null, createdAt: event.recordedAt }),
      put(codecs.index, UsersByName.index, UsersByName.key(e.username), { id: e.userId })
    ]
  }
  if (e._tag === "UserDeleted") return [remove(Kinds.user, id), remove(UsersByName.index, UsersByName.key(e.username))]
  return [modify(codecs.user, Kinds.user, id, (user) => ({ ...user, ...evolveUser(user, e) }))]
}

const projectToken = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeToken(event)
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
  const e = decodeSso(event)
  if (e._tag === "SsoSessionStarted") {
    const { _tag, ...fields } = e
    return [put(codecs.ssoSession, Kinds.ssoSession, ssoSessionId(e.userId, e.groupId), { ...fields, ended: false })]
  }
  const [userId, groupId] = keyOf(event.streamId).split("-")
  return [modify(codecs.ssoSession, Kinds.ssoSession, `${userId}/${groupId}`, (s) => ({ ...s, ended: true }))]
}

const projectInstance = (event: StoredEvent): ReadonlyArray<ReadModelChange> => {
  const e = decodeInstance(event)
  const c = codecs.instance
  return [{
    kind: Kinds.instance,
    id: INSTANCE_SETTINGS_ID,
    update: (current) => c.write(evolveInstance(current === undefined ? defaultInstanceSettings : c.read(current), e)),
    updateHeld: (current) => c.hold(evolveInstance(current === undefined ? defaultInstanceSettings : c.valueOf(current), e))
  }]
}

export type { StoredEvent } from "./readModelDocs.js"

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
