import { Match } from "effect"
import type { DomainError } from "./errors.js"

type Messages = { readonly [K in DomainError["_tag"]]: (error: Extract<DomainError, { readonly _tag: K }>) => string }

/**
 * One line for each domain refusal: the words the CLI prints, the APIs send and the UI shows. Keyed by tag,
 * so the compiler insists on a message for every error, and the list of tags is derived from it.
 */
const messages: Messages = {
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
  NotTopLevelGroup: () => "SSO enforcement can only be set on a top-level group",
  NotAllowed: (e) => e.reason
}

export const describeDomainError = (error: DomainError): string => Match.value(error).pipe(Match.tagsExhaustive(messages))

const DOMAIN_ERROR_TAGS: ReadonlySet<string> = new Set(Object.keys(messages))

/** Whether a failure of unknown type is one of the domain's refusals (for the CLI's exit code). */
export const isDomainError = (error: unknown): error is DomainError =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string" && DOMAIN_ERROR_TAGS.has(error._tag)
