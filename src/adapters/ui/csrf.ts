import { randomBytes } from "node:crypto"
import { keyedDigest, sameSecret } from "./keyedDigest.js"
import type { Session } from "./session.js"

/** The hidden field every form carries (GitLab's name for it). */
export const CSRF_FIELD = "authenticity_token"

/**
 * The CSRF token of a session: an HMAC of its nonce, so it needs no storage, differs per sign-in, and cannot
 * be computed by another site (which also never receives the SameSite=Lax cookie on a cross-site post).
 */
export const csrfToken = (key: Buffer, session: Session): string => keyedDigest(key, "csrf", session.nonce).toString("base64url")

export const csrfMatches = (key: Buffer, session: Session, submitted: string | null): boolean =>
  submitted !== null && sameSecret(submitted, csrfToken(key, session))

/**
 * Before sign-in there is no session to derive from: the sign-in form uses a double-submit token, a random
 * value in a cookie that the form must repeat (guards against logging a victim into an attacker's account).
 */
export const SIGN_IN_CSRF_COOKIE = "_dependency_proxy_sign_in"
export const newSignInToken = (): string => randomBytes(32).toString("base64url")
export const signInTokenMatches = (cookie: string | null, submitted: string | null): boolean =>
  cookie !== null && submitted !== null && cookie.length > 0 && sameSecret(cookie, submitted)
