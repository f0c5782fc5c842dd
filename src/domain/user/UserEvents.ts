import { Schema } from "effect"

export const UserCreated = Schema.TaggedStruct("UserCreated", {
  userId: Schema.Int.pipe(Schema.positive()),
  username: Schema.String,
  email: Schema.String,
  name: Schema.String,
  /** scrypt hash; null for bot users, which cannot sign in with a password. */
  passwordHash: Schema.NullOr(Schema.String),
  admin: Schema.Boolean,
  bot: Schema.Boolean
})
export const UserBlocked = Schema.TaggedStruct("UserBlocked", {})
export const UserUnblocked = Schema.TaggedStruct("UserUnblocked", {})
export const TwoFactorEnabled = Schema.TaggedStruct("TwoFactorEnabled", {})
export const TwoFactorDisabled = Schema.TaggedStruct("TwoFactorDisabled", {})
export const AdminChanged = Schema.TaggedStruct("AdminChanged", { admin: Schema.Boolean })
export const PasswordChanged = Schema.TaggedStruct("PasswordChanged", { passwordHash: Schema.String })

/**
 * A browser session signed out: the UI's signed cookie would otherwise stay good until it expires, wherever
 * it was copied to. `session` is the SHA-256 of the session's random nonce (never the nonce: it seeds the
 * session's CSRF tokens); the entry is kept until `expiresAt`, when the cookie ends by itself. `endedAt` lets
 * the state drop entries whose sessions have run out since.
 */
export const SessionEnded = Schema.TaggedStruct("SessionEnded", { session: Schema.String, expiresAt: Schema.Date, endedAt: Schema.Date })

/** The account is gone; the username is kept here so its claim and index can be let go of. */
export const UserDeleted = Schema.TaggedStruct("UserDeleted", { username: Schema.String })

export const UserEvent = Schema.Union(
  UserCreated,
  UserBlocked,
  UserUnblocked,
  TwoFactorEnabled,
  TwoFactorDisabled,
  AdminChanged,
  PasswordChanged,
  SessionEnded,
  UserDeleted
)
export type UserEvent = typeof UserEvent.Type
