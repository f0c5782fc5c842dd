/** A membership with an expiry grants nothing from that instant on (the start of its day, UTC; ADR 0022). */
export const membershipEnded = (expiresAt: Date | null | undefined, now: number): boolean =>
  expiresAt !== null && expiresAt !== undefined && now >= expiresAt.getTime()
