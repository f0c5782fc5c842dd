import { Schema } from "effect"
import { AccessLevel } from "./AccessLevel.js"
import { EncryptedSecret } from "./EncryptedSecret.js"
import { GroupCreated } from "./group/GroupEvents.js"
import { TokenCreated } from "./token/TokenEvents.js"
import { UserCreated } from "./user/UserEvents.js"

/**
 * Read-model documents, one schema per kind. The projector writes them; queries decode them. Each is the
 * state a decider folds to, flattened for lookups, plus when it was created.
 */
const Id = Schema.Int.pipe(Schema.positive())

/** A creation event's fields without its tag: the start of every entity's view. */
const createdFields = <F extends { readonly _tag: unknown }>(fields: F): Omit<F, "_tag"> => {
  const { _tag, ...rest } = fields
  return rest
}

export const UserView = Schema.Struct({
  ...createdFields(UserCreated.fields),
  blocked: Schema.Boolean,
  twoFactorEnabled: Schema.Boolean,
  /** Documents written before password versions were tracked read as 0 (no change since). */
  passwordVersion: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  /** Documents written before sign-out ended sessions have none. */
  endedSessions: Schema.optionalWith(Schema.Array(Schema.Struct({ session: Schema.String, expiresAt: Schema.Date })), { default: () => [] }),
  sessionsEndedUntil: Schema.optionalWith(Schema.NullOr(Schema.Date), { default: () => null }),
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
  manifestCheckIntervalSeconds: Schema.Int,
  /** Documents written before credential health was tracked have none. */
  credentialsRejected: Schema.optionalWith(Schema.NullOr(Schema.Struct({ status: Schema.Int, at: Schema.Date })), { default: () => null })
})

export const GroupView = Schema.Struct({
  ...createdFields(GroupCreated.fields),
  /** Absent until an Owner writes one (documents stay as they were for groups without). */
  description: Schema.optional(Schema.String),
  settings: SettingsView,
  createdAt: Schema.Date
})
export type GroupView = typeof GroupView.Type

export const MembershipView = Schema.Struct({
  groupId: Id,
  userId: Id,
  accessLevel: AccessLevel,
  /**
   * The start of the day the membership ends (UTC); absent or null: never. Absent until an expiry is set, so the
   * documents of memberships from before expiry existed equal their replay.
   */
  expiresAt: Schema.optional(Schema.NullOr(Schema.Date)),
  createdAt: Schema.Date
})
export type MembershipView = typeof MembershipView.Type

export const TokenView = Schema.Struct({
  ...createdFields(TokenCreated.fields),
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
  ssoSession: "sso_session",
  /** One row, id `settings`: `InstanceSettings`. */
  instance: "instance"
} as const

export const INSTANCE_SETTINGS_ID = "settings"

export const membershipId = (groupId: number, userId: number): string => `${groupId}/${userId}`
export const ssoSessionId = (userId: number, groupId: number): string => `${userId}/${groupId}`

/**
 * Where in the log a cache row was (re)written: the global position of the event that cached it. Unique
 * among what a group lists and growing with time, it plays the part of GitLab's row id (global IDs, newest
 * first, cursors). Rows stored before it was recorded read as 0 until `replay`; the live view, rebuilt from
 * the log at start, always has it.
 */
const CachePosition = Schema.optionalWith(Schema.Int, { default: () => 0 })

/** A manifest cached for a group: one row per tag (`<group>/<image>:<tag>`) and per digest (`<group>/<image>@<digest>`). */
export const CachedManifestView = Schema.Struct({
  position: CachePosition,
  groupId: Id,
  image: Schema.String,
  tag: Schema.NullOr(Schema.String),
  digest: Schema.String,
  mediaType: Schema.String,
  size: Schema.Int,
  createdAt: Schema.Date,
  lastReadAt: Schema.Date
})
export type CachedManifestView = typeof CachedManifestView.Type

/** A blob cached for a group (`<group>/<digest>`); the file itself is shared by content address. */
export const CachedBlobView = Schema.Struct({
  position: CachePosition,
  groupId: Id,
  digest: Schema.String,
  size: Schema.Int,
  image: Schema.String,
  createdAt: Schema.Date,
  lastReadAt: Schema.Date
})
export type CachedBlobView = typeof CachedBlobView.Type

export const CacheKinds = { manifest: "cached_manifest", blob: "cached_blob" } as const

export const cachedManifestId = (groupId: number, image: string, reference: { readonly tag: string } | { readonly digest: string }): string =>
  "tag" in reference ? `${groupId}/${image}:${reference.tag}` : `${groupId}/${image}@${reference.digest}`
export const cachedBlobId = (groupId: number, digest: string): string => `${groupId}/${digest}`
