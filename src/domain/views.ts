import { Schema } from "effect"
import { AccessLevel } from "./AccessLevel.js"
import { EncryptedSecret } from "./EncryptedSecret.js"
import { TokenKind } from "./token/TokenKind.js"

/**
 * Read-model documents, one schema per kind. The projector writes them; queries decode them. Each is the
 * state a decider folds to, flattened for lookups, plus when it was created.
 */
const Id = Schema.Int.pipe(Schema.positive())

export const UserView = Schema.Struct({
  userId: Id,
  username: Schema.String,
  email: Schema.String,
  name: Schema.String,
  passwordHash: Schema.NullOr(Schema.String),
  admin: Schema.Boolean,
  bot: Schema.Boolean,
  blocked: Schema.Boolean,
  twoFactorEnabled: Schema.Boolean,
  createdAt: Schema.Date
})
export type UserView = typeof UserView.Type

export const SettingsView = Schema.Struct({
  enabled: Schema.Boolean,
  identity: Schema.NullOr(Schema.String),
  secret: Schema.NullOr(EncryptedSecret),
  ttlPolicy: Schema.Struct({ enabled: Schema.Boolean, ttlDays: Schema.Int }),
  ssoEnforced: Schema.Boolean,
  serveStaleOnNotFound: Schema.Boolean,
  manifestCheckIntervalSeconds: Schema.Int
})

export const GroupView = Schema.Struct({
  groupId: Id,
  path: Schema.String,
  name: Schema.String,
  parentId: Schema.NullOr(Id),
  ancestorIds: Schema.Array(Id),
  fullPath: Schema.String,
  settings: SettingsView,
  createdAt: Schema.Date
})
export type GroupView = typeof GroupView.Type

export const MembershipView = Schema.Struct({
  groupId: Id,
  userId: Id,
  accessLevel: AccessLevel,
  createdAt: Schema.Date
})
export type MembershipView = typeof MembershipView.Type

export const TokenView = Schema.Struct({
  tokenId: Id,
  kind: TokenKind,
  name: Schema.String,
  digest: Schema.String,
  scopes: Schema.Array(Schema.String),
  expiresAt: Schema.NullOr(Schema.Date),
  userId: Schema.NullOr(Id),
  groupId: Schema.NullOr(Id),
  username: Schema.NullOr(Schema.String),
  accessLevel: Schema.NullOr(AccessLevel),
  revoked: Schema.Boolean,
  revokedReason: Schema.NullOr(Schema.Literal("revoked", "job_finished")),
  lastUsedAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date
})
export type TokenView = typeof TokenView.Type

export const SsoSessionView = Schema.Struct({
  userId: Id,
  groupId: Id,
  expiresAt: Schema.Date,
  ended: Schema.Boolean
})
export type SsoSessionView = typeof SsoSessionView.Type

/** An index row pointing from a unique key (lowercased username or path, token digest) to an id. */
export const IndexView = Schema.Struct({ id: Id })
export type IndexView = typeof IndexView.Type

/** The read-model kinds, as stored in the `kind` column. */
export const Kinds = {
  user: "user",
  userByName: "user_by_name",
  group: "group",
  groupByPath: "group_by_path",
  membership: "membership",
  token: "token",
  tokenByDigest: "token_by_digest",
  ssoSession: "sso_session"
} as const

export const membershipId = (groupId: number, userId: number): string => `${groupId}/${userId}`
export const ssoSessionId = (userId: number, groupId: number): string => `${userId}/${groupId}`
