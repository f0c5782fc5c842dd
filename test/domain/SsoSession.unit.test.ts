import { describe, expect, it } from "vitest"
import { fold } from "../../src/domain/Decider.js"
import { isSsoSessionActive, SsoDecider, type SsoEvent, type SsoSession } from "../../src/domain/sso/SsoSession.js"
import { given } from "../support/givenWhenThen.js"

const now = new Date("2025-01-01T12:00:00.000Z")
const inAnHour = new Date("2025-01-01T13:00:00.000Z")
const started: SsoEvent = { _tag: "SsoSessionStarted", userId: 7, groupId: 1, expiresAt: inAnHour }

describe("SsoDecider", () => {
  describe("StartSsoSession", () => {
    it("starts a session", () => {
      given(SsoDecider)
        .when({ _tag: "StartSsoSession", userId: 7, groupId: 1, expiresAt: inAnHour, now })
        .then([started])
    })

    it("starts a new session over an ended one, or extends a running one", () => {
      const later = new Date("2025-01-01T14:00:00.000Z")
      given(SsoDecider, [started, { _tag: "SsoSessionEnded" }])
        .when({ _tag: "StartSsoSession", userId: 7, groupId: 1, expiresAt: later, now })
        .then([{ ...started, expiresAt: later }])
      given(SsoDecider, [started])
        .when({ _tag: "StartSsoSession", userId: 7, groupId: 1, expiresAt: later, now })
        .then([{ ...started, expiresAt: later }])
    })

    it.each([
      ["already past", new Date(now.getTime() - 1)],
      ["exactly now", now],
      ["that is not a date", new Date("garbage")]
    ])("rejects an expiry %s", (_, expiresAt) => {
      given(SsoDecider)
        .when({ _tag: "StartSsoSession", userId: 7, groupId: 1, expiresAt, now })
        .thenFails("InvalidField", { field: "expires_at" })
    })
  })

  describe("EndSsoSession", () => {
    it("ends a running session", () => {
      given(SsoDecider, [started]).when({ _tag: "EndSsoSession" }).then([{ _tag: "SsoSessionEnded" }])
    })

    it("records nothing for a session already ended, or never started", () => {
      given(SsoDecider, [started, { _tag: "SsoSessionEnded" }]).when({ _tag: "EndSsoSession" }).then([])
      given(SsoDecider).when({ _tag: "EndSsoSession" }).then([])
    })
  })

  describe("isSsoSessionActive", () => {
    const session: SsoSession = { userId: 7, groupId: 1, expiresAt: inAnHour, ended: false }

    it("is active until it expires or ends", () => {
      expect(isSsoSessionActive(session, now)).toBe(true)
      expect(isSsoSessionActive(session, new Date(inAnHour.getTime() - 1))).toBe(true)
    })

    it("is inactive once expired (its expiry instant included), ended, or absent", () => {
      expect(isSsoSessionActive(session, inAnHour)).toBe(false)
      expect(isSsoSessionActive({ ...session, ended: true }, now)).toBe(false)
      expect(isSsoSessionActive(null, now)).toBe(false)
    })

    it("follows the events", () => {
      expect(isSsoSessionActive(fold(SsoDecider, [started]), now)).toBe(true)
      expect(isSsoSessionActive(fold(SsoDecider, [started, { _tag: "SsoSessionEnded" }]), now)).toBe(false)
      expect(isSsoSessionActive(fold(SsoDecider, [started, { _tag: "SsoSessionEnded" }, started]), now)).toBe(true)
    })
  })
})
