import { Either } from "effect"
import { AccessLevels } from "../AccessLevel.js"
import type { Decider } from "../Decider.js"
import {
  AlreadyExists,
  type DomainError,
  GroupNotFound,
  InvalidField,
  LastOwner,
  MemberAlreadyExists,
  MemberNotFound,
  NotTopLevelGroup
} from "../errors.js"
import type {
  AddMember,
  ChangeMemberAccessLevel,
  CreateGroup,
  GroupCommand,
  MemberExpiry,
  NoteUpstreamCredentials,
  PathPlacement,
  RemoveMember,
  SetMemberExpiry,
  UpdateDependencyProxySettings,
  UpdateGroupDetails,
  UpdateImageTtlPolicy
} from "./GroupCommands.js"
import type { GroupEvent } from "./GroupEvents.js"
import { MAX_DEPTH, validateName, validatePath, validateTopLevelPath } from "./GroupPath.js"
import { DEFAULT_TTL_DAYS, evolveGroup, type Group, type GroupState } from "./GroupState.js"

type Decision = Either.Either<ReadonlyArray<GroupEvent>, DomainError>

const none: Decision = Either.right([])
const MAX_CREDENTIAL_LENGTH = 255
/** A week; a longer interval would hide retagged images for too long to be useful. */
export const MAX_MANIFEST_CHECK_INTERVAL_SECONDS = 7 * 24 * 3600

const createGroup = (command: CreateGroup, state: GroupState): Decision => {
  if (state !== null) return Either.left(new AlreadyExists({ what: `group ${state.fullPath}` }))
  return Either.gen(function*() {
    const path = yield* validatePath(command.path)
    const name = yield* validateName(command.name)
    const parent = command.parent
    if (parent === null) yield* validateTopLevelPath(path)
    if (parent !== null && parent.ancestorIds.length + 2 > MAX_DEPTH) {
      return yield* Either.left(new InvalidField({ field: "parent_id", message: `nesting deeper than ${MAX_DEPTH} levels` }))
    }
    const created: GroupEvent = {
      _tag: "GroupCreated",
      groupId: command.groupId,
      path,
      name,
      parentId: parent?.groupId ?? null,
      ancestorIds: parent === null ? [] : [...parent.ancestorIds, parent.groupId],
      fullPath: parent === null ? path : `${parent.fullPath}/${path}`
    }
    const owner: GroupEvent = { _tag: "MemberAdded", userId: command.ownerUserId, accessLevel: AccessLevels.owner }
    const described = command.description === undefined || command.description === ""
      ? []
      : yield* changeDescription(command.description, "")
    return [created, owner, ...described]
  })
}

const checkCredential = (field: "identity" | "secret", value: string): Either.Either<string, InvalidField> =>
  value.length > MAX_CREDENTIAL_LENGTH
    ? Either.left(new InvalidField({ field, message: `is too long (maximum is ${MAX_CREDENTIAL_LENGTH} characters)` }))
    : Either.right(value)

const credentialEvents = (command: UpdateDependencyProxySettings, group: Group): Decision => {
  const identity = command.identity
  const secret = command.secret
  if (identity === undefined && secret === undefined) return none
  const cleared = (v: string | null | undefined) => v === null || v === ""
  if (cleared(identity) && cleared(secret)) {
    return group.settings.identity === null ? none : Either.right([{ _tag: "DockerHubCredentialsCleared" }])
  }
  if (typeof identity !== "string" || identity === "" || typeof secret !== "string" || secret === "") {
    const [field, other] = typeof identity === "string" && identity !== "" ? ["secret", "identity"] : ["identity", "secret"]
    return Either.left(new InvalidField({ field, message: `must be set together with ${other} (both or neither)` }))
  }
  return Either.gen(function*() {
    yield* checkCredential("identity", identity)
    yield* checkCredential("secret", secret)
    if (command.sealedSecret === null) {
      return yield* Either.left(new InvalidField({ field: "secret", message: "could not be encrypted" }))
    }
    // The secret cannot be compared without decrypting it, so setting credentials always records a change.
    return [{ _tag: "DockerHubCredentialsSet" as const, identity, secret: command.sealedSecret }]
  })
}

const updateSettings = (command: UpdateDependencyProxySettings, group: Group): Decision =>
  Either.map(credentialEvents(command, group), (credentials): ReadonlyArray<GroupEvent> => {
    const enabled: ReadonlyArray<GroupEvent> =
      command.enabled === undefined || command.enabled === group.settings.enabled
        ? []
        : [{ _tag: "DependencyProxySettingChanged", enabled: command.enabled }]
    return [...enabled, ...credentials]
  })

const updateTtlPolicy = (command: UpdateImageTtlPolicy, group: Group): Decision => {
  const current = group.settings.ttlPolicy
  const ttlDays = command.ttlDays ?? (current.ttlDays > 0 ? current.ttlDays : DEFAULT_TTL_DAYS)
  if (!Number.isInteger(ttlDays) || ttlDays <= 0 || ttlDays > 36500) {
    return Either.left(new InvalidField({ field: "ttl", message: "must be a whole number of days between 1 and 36500" }))
  }
  const enabled = command.enabled ?? current.enabled
  if (enabled === current.enabled && ttlDays === current.ttlDays) return none
  return Either.right([{ _tag: "ImageTtlPolicyChanged", enabled, ttlDays }])
}

const ownerCount = (group: Group): number =>
  [...group.members.values()].filter((level) => level === AccessLevels.owner).length

/** Only a top-level group must keep an Owner; a subgroup inherits its ancestors' Owners. */
const wouldLoseLastOwner = (group: Group, userId: number): boolean =>
  group.parentId === null && group.members.get(userId) === AccessLevels.owner && ownerCount(group) === 1

const changeMember = (command: ChangeMemberAccessLevel, group: Group): Decision => {
  const current = group.members.get(command.userId)
  if (current === undefined) return Either.left(new MemberNotFound({ userId: command.userId }))
  if (current === command.accessLevel) return none
  if (command.accessLevel !== AccessLevels.owner && wouldLoseLastOwner(group, command.userId)) {
    return Either.left(new LastOwner({ groupId: group.groupId }))
  }
  return Either.right([{ _tag: "MemberAccessLevelChanged", userId: command.userId, accessLevel: command.accessLevel }])
}

const removeMember = (command: RemoveMember, group: Group): Decision => {
  if (!group.members.has(command.userId)) return Either.left(new MemberNotFound({ userId: command.userId }))
  if (wouldLoseLastOwner(group, command.userId)) return Either.left(new LastOwner({ groupId: group.groupId }))
  return Either.right([{ _tag: "MemberRemoved", userId: command.userId }])
}

/** GitLab's limit on a namespace's description. */
export const MAX_DESCRIPTION_LENGTH = 500

const rename = (name: string, group: Group): Decision =>
  Either.map(validateName(name), (valid): ReadonlyArray<GroupEvent> => valid === group.name ? [] : [{ _tag: "GroupRenamed", name: valid }])

const changeDescription = (description: string, current: string): Decision => {
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    return Either.left(new InvalidField({ field: "description", message: `is too long (maximum is ${MAX_DESCRIPTION_LENGTH} characters)` }))
  }
  return description === current ? none : Either.right([{ _tag: "GroupDescriptionChanged", description }])
}

/** The same rules as at creation: a valid path, and no reserved name at the top level. */
const changePath = (placement: PathPlacement, group: Group): Decision =>
  Either.gen(function*() {
    const path = yield* validatePath(placement.path)
    if (placement.parentFullPath === null) yield* validateTopLevelPath(path)
    const fullPath = placement.parentFullPath === null ? path : `${placement.parentFullPath}/${path}`
    if (path === group.path && fullPath === group.fullPath) return []
    return [{ _tag: "GroupPathChanged" as const, path, fullPath, previousFullPath: group.fullPath }]
  })

/** Every detail is checked before any is changed: one bad value refuses the whole update. */
const updateDetails = (command: UpdateGroupDetails, group: Group): Decision =>
  Either.gen(function*() {
    const renamed = command.name === undefined ? [] : yield* rename(command.name, group)
    const described = command.description === undefined ? [] : yield* changeDescription(command.description, group.description)
    const moved = command.path === undefined ? [] : yield* changePath(command.path, group)
    return [...renamed, ...described, ...moved]
  })

/**
 * Every member leaves (no Owner rule: the group goes with them), then the group is deleted. Members in id
 * order, so the same state always decides the same events.
 */
const deleteGroup = (group: Group): Decision =>
  Either.right([
    ...[...group.members.keys()].sort((a, b) => a - b).map((userId): GroupEvent => ({ _tag: "MemberRemoved", userId })),
    { _tag: "GroupDeleted", fullPath: group.fullPath }
  ])

/** GitLab's rule: a membership may not end on a day already begun (the expiry is that day's start, UTC). */
const checkExpiry = (expiry: MemberExpiry): Either.Either<Date | null, InvalidField> =>
  expiry.expiresAt !== null && expiry.expiresAt.getTime() <= expiry.now.getTime()
    ? Either.left(new InvalidField({ field: "expires_at", message: "cannot be a date in the past" }))
    : Either.right(expiry.expiresAt)

const addMember = (command: AddMember, group: Group): Decision => {
  if (group.members.has(command.userId)) return Either.left(new MemberAlreadyExists({ userId: command.userId }))
  const added: GroupEvent = { _tag: "MemberAdded", userId: command.userId, accessLevel: command.accessLevel }
  if (command.expiry === undefined) return Either.right([added])
  return Either.map(checkExpiry(command.expiry), (expiresAt): ReadonlyArray<GroupEvent> =>
    expiresAt === null ? [added] : [added, { _tag: "MemberExpiryChanged", userId: command.userId, expiresAt }])
}

const setMemberExpiry = (command: SetMemberExpiry, group: Group): Decision => {
  if (!group.members.has(command.userId)) return Either.left(new MemberNotFound({ userId: command.userId }))
  const current = group.memberExpiries.get(command.userId)?.getTime() ?? null
  if (current === (command.expiry.expiresAt?.getTime() ?? null)) return none
  return Either.map(checkExpiry(command.expiry), (expiresAt): ReadonlyArray<GroupEvent> => [{ _tag: "MemberExpiryChanged", userId: command.userId, expiresAt }])
}

/** While a rejection lasts it is recorded again at most this often, so "last seen" stays roughly true. */
export const CREDENTIALS_REJECTION_REFRESH_MS = 60 * 60 * 1000

const noteCredentials = (command: NoteUpstreamCredentials, group: Group): Decision => {
  if (group.settings.identity !== command.identity) return none
  const current = group.settings.credentialsRejected
  const outcome = command.outcome
  if (outcome._tag === "Accepted") return current === null ? none : Either.right([{ _tag: "UpstreamCredentialsAccepted" }])
  const fresh = current !== null && current.status === outcome.status && outcome.at.getTime() - current.at.getTime() < CREDENTIALS_REJECTION_REFRESH_MS
  return fresh ? none : Either.right([{ _tag: "UpstreamCredentialsRejected", status: outcome.status, at: outcome.at }])
}

const decideForExisting = (command: Exclude<GroupCommand, CreateGroup>, group: Group): Decision => {
  switch (command._tag) {
    case "UpdateDependencyProxySettings":
      return updateSettings(command, group)
    case "UpdateImageTtlPolicy":
      return updateTtlPolicy(command, group)
    case "SetSsoEnforcement":
      if (group.parentId !== null) return Either.left(new NotTopLevelGroup({ groupId: group.groupId }))
      return command.enforced === group.settings.ssoEnforced
        ? none
        : Either.right([{ _tag: "SsoEnforcementChanged", enforced: command.enforced }])
    case "SetServeStaleOnNotFound":
      return command.enabled === group.settings.serveStaleOnNotFound
        ? none
        : Either.right([{ _tag: "ServeStaleOnNotFoundChanged", enabled: command.enabled }])
    case "SetManifestCheckInterval":
      if (!Number.isInteger(command.seconds) || command.seconds < 0 || command.seconds > MAX_MANIFEST_CHECK_INTERVAL_SECONDS) {
        return Either.left(
          new InvalidField({
            field: "manifest_check_interval",
            message: `must be a whole number of seconds between 0 and ${MAX_MANIFEST_CHECK_INTERVAL_SECONDS}`
          })
        )
      }
      return command.seconds === group.settings.manifestCheckIntervalSeconds
        ? none
        : Either.right([{ _tag: "ManifestCheckIntervalChanged", seconds: command.seconds }])
    case "AddMember":
      return addMember(command, group)
    case "SetMemberExpiry":
      return setMemberExpiry(command, group)
    case "ChangeMemberAccessLevel":
      return changeMember(command, group)
    case "RemoveMember":
      return removeMember(command, group)
    case "UpdateGroupDetails":
      return updateDetails(command, group)
    case "ChangePath":
      return changePath(command, group)
    case "DeleteGroup":
      return deleteGroup(group)
    case "NoteUpstreamCredentials":
      return noteCredentials(command, group)
  }
}

export const GroupDecider: Decider<GroupCommand, GroupEvent, GroupState, DomainError> = {
  initialState: null,
  evolve: evolveGroup,
  decide: (command, state) => {
    if (command._tag === "CreateGroup") return createGroup(command, state)
    if (state === null) return Either.left(new GroupNotFound({ group: "unknown" }))
    return decideForExisting(command, state)
  }
}
