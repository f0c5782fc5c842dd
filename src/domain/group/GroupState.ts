import type { AccessLevel } from "../AccessLevel.js"
import type { EncryptedSecret } from "../EncryptedSecret.js"
import type { GroupEvent } from "./GroupEvents.js"

export const DEFAULT_TTL_DAYS = 90

export interface DependencyProxySettings {
  readonly enabled: boolean
  readonly identity: string | null
  readonly secret: EncryptedSecret | null
  readonly ttlPolicy: { readonly enabled: boolean; readonly ttlDays: number }
  readonly ssoEnforced: boolean
  readonly serveStaleOnNotFound: boolean
  readonly manifestCheckIntervalSeconds: number
  /**
   * Not a setting but the health of the credentials: the last time the upstream refused them, until they
   * change or a pull with them succeeds (kept here so the projector keeps it with what it concerns).
   */
  readonly credentialsRejected: CredentialsRejection | null
}

export interface CredentialsRejection {
  readonly status: number
  readonly at: Date
}

export const defaultSettings: DependencyProxySettings = {
  enabled: true,
  identity: null,
  secret: null,
  ttlPolicy: { enabled: false, ttlDays: DEFAULT_TTL_DAYS },
  ssoEnforced: false,
  serveStaleOnNotFound: false,
  manifestCheckIntervalSeconds: 0,
  credentialsRejected: null
}

export interface Group {
  readonly groupId: number
  readonly path: string
  readonly name: string
  readonly description: string
  readonly parentId: number | null
  readonly ancestorIds: ReadonlyArray<number>
  readonly fullPath: string
  readonly settings: DependencyProxySettings
  readonly members: ReadonlyMap<number, AccessLevel>
  /** The members whose membership ends by itself, and when. */
  readonly memberExpiries: ReadonlyMap<number, Date>
}

export type GroupState = Group | null

const withSettings = (group: Group, patch: Partial<DependencyProxySettings>): Group => ({
  ...group,
  settings: { ...group.settings, ...patch }
})

const withMember = (group: Group, userId: number, level: AccessLevel | null): Group => {
  const members = new Map(group.members)
  if (level === null) members.delete(userId)
  else members.set(userId, level)
  return { ...group, members, memberExpiries: level === null ? withExpiry(group, userId, null) : group.memberExpiries }
}

const withExpiry = (group: Group, userId: number, expiresAt: Date | null): ReadonlyMap<number, Date> => {
  const expiries = new Map(group.memberExpiries)
  if (expiresAt === null) expiries.delete(userId)
  else expiries.set(userId, expiresAt)
  return expiries
}

/** Total: an event for a group that does not exist leaves the state as it is. */
export const evolveGroup = (state: GroupState, event: GroupEvent): GroupState => {
  if (event._tag === "GroupCreated") {
    return state ?? {
      groupId: event.groupId,
      path: event.path,
      name: event.name,
      description: "",
      parentId: event.parentId,
      ancestorIds: event.ancestorIds,
      fullPath: event.fullPath,
      settings: defaultSettings,
      members: new Map(),
      memberExpiries: new Map()
    }
  }
  if (state === null) return state
  switch (event._tag) {
    case "DependencyProxySettingChanged":
      return withSettings(state, { enabled: event.enabled })
    case "DockerHubCredentialsSet":
      return withSettings(state, { identity: event.identity, secret: event.secret, credentialsRejected: null })
    case "DockerHubCredentialsCleared":
      return withSettings(state, { identity: null, secret: null, credentialsRejected: null })
    case "UpstreamCredentialsRejected":
      return withSettings(state, { credentialsRejected: { status: event.status, at: event.at } })
    case "UpstreamCredentialsAccepted":
      return withSettings(state, { credentialsRejected: null })
    case "ImageTtlPolicyChanged":
      return withSettings(state, { ttlPolicy: { enabled: event.enabled, ttlDays: event.ttlDays } })
    case "SsoEnforcementChanged":
      return withSettings(state, { ssoEnforced: event.enforced })
    case "ServeStaleOnNotFoundChanged":
      return withSettings(state, { serveStaleOnNotFound: event.enabled })
    case "ManifestCheckIntervalChanged":
      return withSettings(state, { manifestCheckIntervalSeconds: event.seconds })
    case "MemberAdded":
    case "MemberAccessLevelChanged":
      return withMember(state, event.userId, event.accessLevel)
    case "MemberRemoved":
      return withMember(state, event.userId, null)
    case "MemberExpiryChanged":
      return state.members.has(event.userId) ? { ...state, memberExpiries: withExpiry(state, event.userId, event.expiresAt) } : state
    case "GroupRenamed":
      return { ...state, name: event.name }
    case "GroupDescriptionChanged":
      return { ...state, description: event.description }
    case "GroupPathChanged":
      return { ...state, path: event.path, fullPath: event.fullPath }
    case "SubgroupCreated":
      return state
    case "GroupDeleted":
      // A deleted group is no group: every later command on the stream is GroupNotFound.
      return null
  }
}
