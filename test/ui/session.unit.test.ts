import { randomBytes } from "node:crypto"
import { describe, expect, it } from "vitest"
import { csrfMatches, csrfToken } from "../../src/adapters/ui/csrf.js"
import { newSession, openSession, sealSession, SESSION_TTL_MS } from "../../src/adapters/ui/session.js"

const key = randomBytes(32)
const now = Date.UTC(2025, 0, 1)
const session = newSession({ userId: 7, tokenId: null, credentialVersion: 0 }, now)

describe("the signed session cookie", () => {
  it("opens what it sealed, until 8 hours have passed", () => {
    const cookie = sealSession(key, session)
    expect(openSession(key, cookie, now + 1)).toEqual(session)
    expect(openSession(key, cookie, now + SESSION_TTL_MS - 1)).toEqual(session)
    expect(openSession(key, cookie, now + SESSION_TTL_MS)).toBeNull()
  })

  it("refuses a cookie that was altered, signed with another key, or is not ours", () => {
    const cookie = sealSession(key, session)
    const [body = "", signature = ""] = cookie.split(".")
    const forged = Buffer.from(JSON.stringify({ ...session, userId: 1 })).toString("base64url")
    expect(openSession(key, `${forged}.${signature}`, now)).toBeNull()
    expect(openSession(key, `${body}.${signature.slice(1)}A`, now)).toBeNull()
    expect(openSession(randomBytes(32), cookie, now)).toBeNull()
    for (const junk of [null, "", ".", "abc", `${body}.`]) expect(openSession(key, junk, now)).toBeNull()
  })
})

describe("CSRF tokens", () => {
  it("belong to one session: another session's token, a missing or an empty one are refused", () => {
    const other = newSession({ userId: 7, tokenId: null, credentialVersion: 0 }, now)
    expect(csrfMatches(key, session, csrfToken(key, session))).toBe(true)
    expect(csrfMatches(key, session, csrfToken(key, other))).toBe(false)
    expect(csrfMatches(key, session, null)).toBe(false)
    expect(csrfMatches(key, session, "")).toBe(false)
  })
})
