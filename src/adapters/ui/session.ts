import { createHash, randomBytes } from "node:crypto"
import { Either, Schema } from "effect"
import { keyedDigest, sameSecret } from "./keyedDigest.js"

export const SESSION_COOKIE = "_dependency_proxy_session"
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000

/**
 * What the signed session cookie carries. No server-side session table: the cookie is the session, and the
 * user behind it is re-checked against the live view on every request, where a session signed out
 * (`SessionEnded` on the user's stream, by `sessionId`) is refused.
 */
const SessionPayload = Schema.Struct({
  v: Schema.Literal(2),
  userId: Schema.Int,
  /** The personal access token signed in with (two-factor users), or null for a password sign-in. */
  tokenId: Schema.NullOr(Schema.Int),
  /** Random per sign-in; CSRF tokens derive from it, so they change with every session. */
  nonce: Schema.String,
  expiresAt: Schema.Number,
  /**
   * The user's password version when a password session opened: a password change ends it, as it ends
   * password-derived registry tokens (the same check, `credentialForSubject`).
   */
  credentialVersion: Schema.Int
})
export type Session = typeof SessionPayload.Type

const decode = Schema.decodeUnknownEither(Schema.parseJson(SessionPayload))

const signature = (key: Buffer, body: string) => keyedDigest(key, "session", body).toString("base64url")

export const sealSession = (key: Buffer, session: Session): string => {
  const body = Buffer.from(JSON.stringify(session)).toString("base64url")
  return `${body}.${signature(key, body)}`
}

/** The session in a cookie value, or null when it is absent, forged, altered or expired (all: signed out). */
export const openSession = (key: Buffer, value: string | null, now: number): Session | null => {
  if (value === null) return null
  const dot = value.indexOf(".")
  if (dot < 0) return null
  const body = value.slice(0, dot)
  if (!sameSecret(value.slice(dot + 1), signature(key, body))) return null
  const decoded = decode(Buffer.from(body, "base64url").toString("utf8"))
  // Signed by us but unreadable can only be a cookie from another version: treated as no session.
  if (Either.isLeft(decoded) || decoded.right.expiresAt <= now) return null
  return decoded.right
}

export const newSession = (
  user: { readonly userId: number; readonly tokenId: number | null; readonly credentialVersion: number },
  now: number
): Session => ({
  v: 2,
  userId: user.userId,
  tokenId: user.tokenId,
  nonce: randomBytes(16).toString("base64url"),
  expiresAt: now + SESSION_TTL_MS,
  credentialVersion: user.credentialVersion
})

/**
 * The name a session goes by on the server, where sign-out records it: a digest of its nonce, which itself
 * never leaves the cookie (it seeds the session's CSRF tokens).
 */
export const sessionId = (session: Session): string => createHash("sha256").update(session.nonce).digest("base64url")
