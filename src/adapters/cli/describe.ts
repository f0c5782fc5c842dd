import { Match } from "effect"
import type { DomainError } from "../../domain/errors.js"

/** One line for a domain refusal, the same words the CLI prints and the APIs will send. */
export const describeDomainError = (error: DomainError): string =>
  Match.value(error).pipe(
    Match.tagsExhaustive({
      InvalidField: (e) => `${e.field} ${e.message}`,
      GroupNotFound: (e) => `group ${e.group} not found`,
      UserNotFound: (e) => `user ${e.user} not found`,
      TokenNotFound: (e) => `token ${e.tokenId} not found`,
      NameTaken: (e) => `${e.field} ${e.name} has already been taken`,
      AlreadyExists: (e) => `${e.what} already exists`,
      MemberNotFound: (e) => `user ${e.userId} is not a member of this group`,
      MemberAlreadyExists: (e) => `user ${e.userId} is already a member of this group`,
      LastOwner: () => "a top-level group must keep at least one Owner",
      TokenAlreadyRevoked: (e) => `token ${e.tokenId} is already revoked`,
      NotTopLevelGroup: () => "SSO enforcement can only be set on a top-level group"
    })
  )
