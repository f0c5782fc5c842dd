import { timingSafeEqual } from "node:crypto"
import { describe, expect, it, vi } from "vitest"
import { PEER_MAC_SECONDS, peerAuthorization, peerAuthorized, peerKey } from "../../../src/adapters/peers/peerAuth.js"

// The real comparison, watched: a MAC must be compared in constant time, never with `===` or `equals`.
vi.mock("node:crypto", async (importOriginal) => {
  const crypto = await importOriginal<typeof import("node:crypto")>()
  return { ...crypto, timingSafeEqual: vi.fn(crypto.timingSafeEqual) }
})

const key = peerKey(Buffer.alloc(32, 7))
const path = `/-/peer/blobs/sha256:${"a".repeat(64)}/00000000-0000-4000-8000-000000000000`
const now = new Date("2026-12-06T01:00:00Z")
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000)

describe("peer request MACs (ADR 0025)", () => {
  it("authorize the method and path they were made for, for a minute", () => {
    const header = peerAuthorization(key, "GET", path, now)
    expect(peerAuthorized(key, "GET", path, header, now)).toBe(true)
    expect(peerAuthorized(key, "GET", path, header, later(PEER_MAC_SECONDS))).toBe(true)
    expect(peerAuthorized(key, "GET", path, header, later(PEER_MAC_SECONDS + 1))).toBe(false)
  })

  it("refuse another method, another path, another cluster's key, a forged expiry or anything malformed", () => {
    const header = peerAuthorization(key, "GET", path, now)
    expect(peerAuthorized(key, "HEAD", path, header, now)).toBe(false)
    expect(peerAuthorized(key, "GET", `${path.slice(0, -1)}1`, header, now)).toBe(false)
    expect(peerAuthorized(peerKey(Buffer.alloc(32, 8)), "GET", path, header, now)).toBe(false)
    const [expiry, mac] = header.slice("Peer ".length).split(".")
    expect(peerAuthorized(key, "GET", path, `Peer ${Number(expiry) + 3600}.${mac}`, now)).toBe(false)
    for (const bad of [undefined, "", "Peer", `Bearer ${expiry}.${mac}`, `Peer ${expiry}.${mac?.slice(2)}`, `Peer ${expiry}.${mac}x`]) {
      expect(peerAuthorized(key, "GET", path, bad, now)).toBe(false)
    }
  })

  it("cannot be minted far ahead even with the key: an expiry beyond a MAC's validity is refused", () => {
    const farAhead = peerAuthorization(key, "GET", path, later(3600))
    expect(peerAuthorized(key, "GET", path, farAhead, now)).toBe(false)
  })

  it("derive a key distinct from ENCRYPTION_KEY itself", () => {
    expect(peerKey(Buffer.alloc(32, 7)).equals(Buffer.alloc(32, 7))).toBe(false)
    expect(peerKey(Buffer.alloc(32, 7))).toHaveLength(32)
  })

  it("compare the MAC in constant time, whether it matches or not", () => {
    const header = peerAuthorization(key, "GET", path, now)
    const compare = vi.mocked(timingSafeEqual)
    compare.mockClear()
    expect(peerAuthorized(key, "GET", path, header, now)).toBe(true)
    expect(peerAuthorized(key, "GET", `${path.slice(0, -1)}1`, header, now)).toBe(false)
    expect(compare).toHaveBeenCalledTimes(2)
    for (const [given, expected] of compare.mock.calls) expect([given.byteLength, expected.byteLength]).toEqual([32, 32])
  })
})
