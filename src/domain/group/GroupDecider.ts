import { Either } from "effect"
import { AccessLevels } from "../AccessLevel.js"
import type { Decider } from "../Decider.js"
import { AlreadyExists, type DomainError, GroupNotFound, InvalidField } from "../errors.js"
import type { CreateGroup, GroupCommand } from "./GroupCommands.js"
import type { Decision } from "./groupDecision.js"
import { changeDescription, changePath, updateDetails } from "./groupDetails.js"
import type { GroupEvent } from "./GroupEvents.js"
import { addMember, changeMember, removeMember, setMemberExpiry } from "./groupMembers.js"
import { MAX_DEPTH, validateName, validatePath, validateTopLevelPath } from "./GroupPath.js"
import { evolveGroup, type Group, type GroupState } from "./GroupState.js"
import { setManifestCheckInterval, setServeStaleOnNotFound, setSsoEnforcement, updateSettings, updateTtlPolicy } from "./proxySettings.js"
import { noteCredentials } from "./upstreamCredentials.js"

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

/**
 * Every member leaves (no Owner rule: the group goes with them), then the group is deleted. Members in id
 * order, so the same state always decides the same events.
 */
const deleteGroup = (group: Group): Decision =>
  Either.right([
    ...[...group.members.keys()].sort((a, b) => a - b).map((userId): GroupEvent => ({ _tag: "MemberRemoved", userId })),
    { _tag: "GroupDeleted", fullPath: group.fullPath }
  ])

const decideForExisting = (command: Exclude<GroupCommand, CreateGroup>, group: Group): Decision => {
  switch (command._tag) {
    case "UpdateDependencyProxySettings":
      return updateSettings(command, group)
    case "UpdateImageTtlPolicy":
      return updateTtlPolicy(command, group)
    case "SetSsoEnforcement":
      return setSsoEnforcement(command, group)
    case "SetServeStaleOnNotFound":
      return setServeStaleOnNotFound(command, group)
    case "SetManifestCheckInterval":
      return setManifestCheckInterval(command, group)
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
    case "AddSubgroup":
      return Either.right([{ _tag: "SubgroupCreated", groupId: command.groupId, path: command.path }])
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
