import { describe, expect, it } from "vitest"
import { parseGroupRoute, groupPagePath } from "../../src/adapters/ui/groupRoute.js"
import { readSettingsForm, readTtlForm } from "../../src/adapters/ui/ownerForms.js"
import { safeRedirect } from "../../src/adapters/ui/respond.js"
import type { GroupView } from "../../src/domain/views.js"

const group = (identity: string | null, secretSet: boolean): GroupView => ({
  groupId: 1, path: "acme", name: "ACME", parentId: null, ancestorIds: [], fullPath: "acme", createdAt: new Date(0),
  settings: {
    enabled: true,
    identity,
    secret: secretSet ? { keyId: "k", iv: "iv", ciphertext: "c", tag: "t" } : null,
    ttlPolicy: { enabled: false, ttlDays: 90 },
    ssoEnforced: false,
    serveStaleOnNotFound: false,
    manifestCheckIntervalSeconds: 0,
    credentialsRejected: null
  }
})
const form = (fields: Record<string, string>) => new URLSearchParams(fields)

describe("the settings form: identity and secret, both or neither", () => {
  it("both given sets them; both empty clears stored ones, or changes only `enabled` when there are none", () => {
    expect(readSettingsForm(form({ enabled: "1", identity: " hub ", secret: "s" }), group(null, false)).outcome)
      .toEqual({ _tag: "Valid", change: { enabled: true, identity: "hub", secret: "s" } })
    expect(readSettingsForm(form({ identity: "", secret: "" }), group("hub", true)).outcome)
      .toEqual({ _tag: "Valid", change: { enabled: false, identity: null, secret: null } })
    expect(readSettingsForm(form({}), group(null, false)).outcome).toEqual({ _tag: "Valid", change: { enabled: false } })
  })

  it("the stored identity with an empty secret keeps the credentials (the secret is never sent back to fill in)", () => {
    expect(readSettingsForm(form({ enabled: "1", identity: "hub", secret: "" }), group("hub", true)).outcome)
      .toEqual({ _tag: "Valid", change: { enabled: true } })
  })

  it("only one of them is refused on the missing field, and a new identity needs its secret", () => {
    expect(readSettingsForm(form({ identity: "hub" }), group(null, false)).outcome)
      .toEqual({ _tag: "Invalid", errors: { secret: "Secret must be set together with the identity (both or neither)." } })
    expect(readSettingsForm(form({ identity: "someone-else" }), group("hub", true)).outcome._tag).toBe("Invalid")
    expect(readSettingsForm(form({ secret: "s" }), group("hub", true)).outcome)
      .toEqual({ _tag: "Invalid", errors: { identity: "Identity must be set together with the secret (both or neither)." } })
  })

  it("the TTL form takes a whole number; the range is left to the domain", () => {
    expect(readTtlForm(form({ ttl_enabled: "1", ttl: "14" })).outcome).toEqual({ _tag: "Valid", change: { enabled: true, ttlDays: 14 } })
    expect(readTtlForm(form({ ttl: "0" })).outcome).toEqual({ _tag: "Valid", change: { enabled: false, ttlDays: 0 } })
    for (const ttl of ["", "1.5", "-1", "ten"]) expect(readTtlForm(form({ ttl })).outcome._tag).toBe("Invalid")
  })
})

describe("URLs", () => {
  it("group pages: nested full paths, escaped segments, known actions only", () => {
    expect(parseGroupRoute("/groups/acme/tools/-/dependency_proxy?page=2")).toEqual({ groupPath: "acme/tools", action: "view" })
    expect(parseGroupRoute("/groups/acme/-/dependency_proxy/purge/confirm")).toEqual({ groupPath: "acme", action: "purge/confirm" })
    expect(parseGroupRoute("/groups/a%2Eb/-/dependency_proxy/")).toEqual({ groupPath: "a.b", action: "view" })
    for (const url of ["/groups/acme", "/groups/acme/-/dependency_proxy/delete", "/groups//-/dependency_proxy", "/groups/%E0%A4%A/-/dependency_proxy"]) {
      expect(parseGroupRoute(url)).toBeNull()
    }
    expect(groupPagePath("acme/tools", "ttl_policy")).toBe("/groups/acme/tools/-/dependency_proxy/ttl_policy")
  })

  it("after sign-in, only a path on this site: never another host", () => {
    expect(safeRedirect("/groups/acme/-/dependency_proxy?page=2")).toBe("/groups/acme/-/dependency_proxy?page=2")
    for (const target of [null, "", "https://evil.example/", "//evil.example", "/\\evil.example", "/users/sign_out", "javascript:alert(1)"]) {
      expect(safeRedirect(target)).toBe("/groups")
    }
  })
})
