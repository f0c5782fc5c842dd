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
  UserDeleted
)
export type UserEvent = typeof UserEvent.Type
