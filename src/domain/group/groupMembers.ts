import { Either } from "effect"
import { AccessLevels } from "../AccessLevel.js"
import { InvalidField, LastOwner, MemberAlreadyExists, MemberNotFound } from "../errors.js"
import type { AddMember, ChangeMemberAccessLevel, MemberExpiry, RemoveMember, SetMemberExpiry } from "./GroupCommands.js"
import { type Decision, none } from "./groupDecision.js"
import type { GroupEvent } from "./GroupEvents.js"
import type { Group } from "./GroupState.js"

/**
 * An Owner whose membership has not ended at `now`. One that has ended grants nothing (ADR 0022) and, in GitLab,
 * is removed by its expiry worker: it does not keep the group owned.
 */
const isActiveOwner = (group: Group, userId: number, now: Date): boolean => {
  if (group.members.get(userId) !== AccessLevels.owner) return false
  const ends = group.memberExpiries.get(userId)
  return ends === undefined || ends.getTime() > now.getTime()
}

/** Only a top-level group must keep an Owner; a subgroup inherits its ancestors' Owners. */
const wouldLoseLastOwner = (group: Group, userId: number, now: Date): boolean => {
  if (group.parentId !== null || !isActiveOwner(group, userId, now)) return false
  return [...group.members.keys()].filter((member) => isActiveOwner(group, member, now)).length === 1
}

/** A role change, and with `expiry` the membership's end too, in one decision: both or neither. */
export const changeMember = (command: ChangeMemberAccessLevel, group: Group): Decision => {
  const current = group.members.get(command.userId)
  if (current === undefined) return Either.left(new MemberNotFound({ userId: command.userId }))
  // The expiry first, so that a day already begun changes nothing, the role included.
  const expiryChanged = command.expiry === undefined ? none : expiryChange(command.userId, command.expiry, group)
  if (Either.isLeft(expiryChanged)) return expiryChanged
  if (current === command.accessLevel) return expiryChanged
  if (command.accessLevel !== AccessLevels.owner && wouldLoseLastOwner(group, command.userId, command.now)) {
    return Either.left(new LastOwner({ groupId: group.groupId }))
  }
  return Either.right([
    { _tag: "MemberAccessLevelChanged", userId: command.userId, accessLevel: command.accessLevel },
    ...expiryChanged.right
  ])
}

export const removeMember = (command: RemoveMember, group: Group): Decision => {
  if (!group.members.has(command.userId)) return Either.left(new MemberNotFound({ userId: command.userId }))
  if (wouldLoseLastOwner(group, command.userId, command.now)) return Either.left(new LastOwner({ groupId: group.groupId }))
  return Either.right([{ _tag: "MemberRemoved", userId: command.userId }])
}

/**
 * GitLab's rule: a membership may not end on a day already begun (the expiry is that day's start, UTC).
 * Exported so that an edge changing a role and an expiry together can check the expiry before either change.
 */
export const checkExpiry = (expiry: MemberExpiry): Either.Either<Date | null, InvalidField> =>
  expiry.expiresAt !== null && expiry.expiresAt.getTime() <= expiry.now.getTime()
    ? Either.left(new InvalidField({ field: "expires_at", message: "cannot be a date in the past" }))
    : Either.right(expiry.expiresAt)

export const addMember = (command: AddMember, group: Group): Decision => {
  if (group.members.has(command.userId)) return Either.left(new MemberAlreadyExists({ userId: command.userId }))
  const added: GroupEvent = { _tag: "MemberAdded", userId: command.userId, accessLevel: command.accessLevel }
  if (command.expiry === undefined) return Either.right([added])
  return Either.map(checkExpiry(command.expiry), (expiresAt): ReadonlyArray<GroupEvent> =>
    expiresAt === null ? [added] : [added, { _tag: "MemberExpiryChanged", userId: command.userId, expiresAt }])
}

/** A member's end set to `expiry`: nothing when it already is, refused when it is a day already begun. */
const expiryChange = (userId: number, expiry: MemberExpiry, group: Group): Decision => {
  const current = group.memberExpiries.get(userId)?.getTime() ?? null
  if (current === (expiry.expiresAt?.getTime() ?? null)) return none
  return Either.map(checkExpiry(expiry), (expiresAt): ReadonlyArray<GroupEvent> => [{ _tag: "MemberExpiryChanged", userId, expiresAt }])
}

export const setMemberExpiry = (command: SetMemberExpiry, group: Group): Decision => {
  if (!group.members.has(command.userId)) return Either.left(new MemberNotFound({ userId: command.userId }))
  return expiryChange(command.userId, command.expiry, group)
}
