import { Schema } from "effect"
import { AccessLevel } from "../AccessLevel.js"
import { TokenKind } from "./TokenKind.js"

const Id = Schema.Int.pipe(Schema.positive())

export const TokenCreated = Schema.TaggedStruct("TokenCreated", {
  tokenId: Id,
  kind: TokenKind,
  name: Schema.String,
  /** SHA-256 of the plaintext, hex; the plaintext is shown once and never stored. */
  digest: Schema.String,
  scopes: Schema.Array(Schema.String),
  expiresAt: Schema.NullOr(Schema.Date),
  /** Owner (personal), the job's user (job), the bot user (group access); null for deploy tokens. */
  userId: Schema.NullOr(Id),
  /** The group a deploy, group access or job token belongs to; null for personal tokens. */
  groupId: Schema.NullOr(Id),
  /** A deploy token's username; null for other kinds. */
  username: Schema.NullOr(Schema.String),
  /** The bot member's role, for group access tokens. */
  accessLevel: Schema.NullOr(AccessLevel)
})
export const TokenRevoked = Schema.TaggedStruct("TokenRevoked", {
  reason: Schema.Literal("revoked", "job_finished")
})
export const TokenUsed = Schema.TaggedStruct("TokenUsed", { at: Schema.Date })

export const TokenEvent = Schema.Union(TokenCreated, TokenRevoked, TokenUsed)
export type TokenEvent = typeof TokenEvent.Type
export type TokenCreatedEvent = typeof TokenCreated.Type
