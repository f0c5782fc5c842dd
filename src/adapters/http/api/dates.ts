/** Times as GitLab's API writes them (ISO 8601, UTC). */
export const isoTime = (date: Date): string => date.toISOString()

/** A token's `expires_at` as GitLab writes it for personal and group access tokens: the day only. */
export const isoDay = (date: Date): string => date.toISOString().slice(0, 10)

export const orNull = <A, B>(value: A | null, f: (a: A) => B): B | null => (value === null ? null : f(value))
