/** Reads one cookie from a `Cookie` header; null when absent. Values are ours (base64url), so no decoding. */
export const readCookie = (header: string | undefined, name: string): string | null => {
  for (const pair of (header ?? "").split(";")) {
    const eq = pair.indexOf("=")
    if (eq < 0) continue
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim()
  }
  return null
}

export interface CookieOptions {
  readonly path: string
  readonly secure: boolean
  /** Seconds; 0 deletes the cookie. */
  readonly maxAgeSeconds: number
}

/**
 * A `Set-Cookie` value. Always `HttpOnly` (scripts never need it) and `SameSite=Lax` (a cross-site form post
 * arrives without it, a first line against CSRF before the token check).
 */
export const setCookie = (name: string, value: string, options: CookieOptions): string =>
  [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAgeSeconds}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(options.secure ? ["Secure"] : [])
  ].join("; ")
