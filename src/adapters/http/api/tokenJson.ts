import type { TokenView } from "../../../domain/views.js"
import { isoDay, isoTime, orNull } from "./dates.js"

const expired = (token: TokenView, now: Date) => token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime()

/**
 * Token views as GitLab's API shows them. The digest is never shown; the plaintext only in the creation
 * response, through `withPlaintext`.
 */
export const personalTokenJson = (token: TokenView, now: Date) => ({
  id: token.tokenId,
  name: token.name,
  revoked: token.revoked,
  created_at: isoTime(token.createdAt),
  scopes: token.scopes,
  user_id: token.userId,
  last_used_at: orNull(token.lastUsedAt, isoTime),
  active: !token.revoked && !expired(token, now),
  expires_at: orNull(token.expiresAt, isoDay)
})

/** A group access token: a personal-token shape for its bot user, plus the bot's role. */
export const groupAccessTokenJson = (token: TokenView, now: Date) => ({
  ...personalTokenJson(token, now),
  access_level: token.accessLevel
})

/** GitLab writes a deploy token's expiry as a full time. */
export const deployTokenJson = (token: TokenView, now: Date) => ({
  id: token.tokenId,
  name: token.name,
  username: token.username,
  expires_at: orNull(token.expiresAt, isoTime),
  scopes: token.scopes,
  revoked: token.revoked,
  expired: expired(token, now)
})

export const withPlaintext = <A extends object>(json: A, token: string) => ({ ...json, token })
