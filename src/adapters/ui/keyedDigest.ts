import { createHmac, timingSafeEqual } from "node:crypto"

/**
 * HMAC-SHA256 under the session key, with a purpose label so that a value made for one use (a session
 * signature, a CSRF token) can never be replayed as another.
 */
export const keyedDigest = (key: Buffer, purpose: string, data: string): Buffer =>
  createHmac("sha256", key).update(purpose).update("\u0000").update(data).digest()

/** Constant-time comparison of two strings, so a guesser learns nothing from how fast a check fails. */
export const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
