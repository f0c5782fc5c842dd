import { Data } from "effect"

/** A command's input broke a rule; names the field the way GitLab's API does (`{"message": {field: [...]}}`). */
export class InvalidField extends Data.TaggedError("InvalidField")<{
  readonly field: string
  readonly message: string
}> {}

export class GroupNotFound extends Data.TaggedError("GroupNotFound")<{ readonly group: string }> {}
export class UserNotFound extends Data.TaggedError("UserNotFound")<{ readonly user: string }> {}
export class TokenNotFound extends Data.TaggedError("TokenNotFound")<{ readonly tokenId: number }> {}

/** A name (username, group path) that another entity already holds. */
export class NameTaken extends Data.TaggedError("NameTaken")<{ readonly field: string; readonly name: string }> {}

export class AlreadyExists extends Data.TaggedError("AlreadyExists")<{ readonly what: string }> {}
export class MemberNotFound extends Data.TaggedError("MemberNotFound")<{ readonly userId: number }> {}
export class MemberAlreadyExists extends Data.TaggedError("MemberAlreadyExists")<{ readonly userId: number }> {}

/** A top-level group must keep at least one Owner; GitLab refuses the change that would leave none. */
export class LastOwner extends Data.TaggedError("LastOwner")<{ readonly groupId: number }> {}

export class TokenAlreadyRevoked extends Data.TaggedError("TokenAlreadyRevoked")<{ readonly tokenId: number }> {}
export class NotTopLevelGroup extends Data.TaggedError("NotTopLevelGroup")<{ readonly groupId: number }> {}

/** The caller may not do this; `reason` says why in words the caller can act on (never a secret). */
export class NotAllowed extends Data.TaggedError("NotAllowed")<{ readonly reason: string }> {}

export type DomainError =
  | InvalidField
  | GroupNotFound
  | UserNotFound
  | TokenNotFound
  | NameTaken
  | AlreadyExists
  | MemberNotFound
  | MemberAlreadyExists
  | LastOwner
  | TokenAlreadyRevoked
  | NotTopLevelGroup
  | NotAllowed
