import { describe, expect, it } from "vitest"
import { allowsMethod, parseSettingsRoute, settingsPath } from "../../src/adapters/ui/groupSettingsRoute.js"

describe("group settings URLs", () => {
  it("parse the settings page, SSO, both token pages and the two revoke steps", () => {
    expect(parseSettingsRoute("/groups/acme/team/-/settings?notice=sso_saved")).toEqual({ groupPath: "acme/team", page: "settings", revoke: null, confirmed: false })
    expect(parseSettingsRoute("/groups/acme/-/settings/sso")).toEqual({ groupPath: "acme", page: "sso", revoke: null, confirmed: false })
    expect(parseSettingsRoute("/groups/acme/-/settings/deploy_tokens/12/revoke")).toEqual({ groupPath: "acme", page: "deploy_tokens", revoke: { tokenId: 12, confirmed: false }, confirmed: false })
    expect(parseSettingsRoute("/groups/acme/-/settings/access_tokens/3/revoke/confirm")).toEqual({ groupPath: "acme", page: "access_tokens", revoke: { tokenId: 3, confirmed: true }, confirmed: false })
  })

  it("parse the general form and both steps of a deletion", () => {
    expect(parseSettingsRoute("/groups/acme/team/-/settings/general")).toEqual({ groupPath: "acme/team", page: "general", revoke: null, confirmed: false })
    expect(parseSettingsRoute("/groups/acme/-/settings/delete")).toEqual({ groupPath: "acme", page: "delete", revoke: null, confirmed: false })
    expect(parseSettingsRoute("/groups/acme/-/settings/delete/confirm")).toEqual({ groupPath: "acme", page: "delete", revoke: null, confirmed: true })
  })

  it("refuse other pages, a revoke of SSO, a non-numeric id and a malformed escape", () => {
    for (const url of ["/groups/acme/-/dependency_proxy", "/groups/acme/-/settings/sso/1/revoke", "/groups/acme/-/settings/deploy_tokens/x/revoke",
      "/groups/acme/-/settings/general/confirm", "/groups/acme/-/settings/delete/1/revoke", "/groups/acme/-/settings/deploy_tokens/confirm",
      "/groups/acme/-/settings/other", "/groups/%E0%A4%A/-/settings"]) {
      expect(parseSettingsRoute(url), url).toBeNull()
    }
  })

  it("allow GET only for pages, POST only for changes", () => {
    const route = (url: string) => parseSettingsRoute(url) ?? { groupPath: "", page: "settings" as const, revoke: null, confirmed: false }
    expect(allowsMethod(route("/groups/a/-/settings"), "GET")).toBe(true)
    expect(allowsMethod(route("/groups/a/-/settings"), "POST")).toBe(false)
    expect(allowsMethod(route("/groups/a/-/settings/sso"), "GET")).toBe(false)
    expect(allowsMethod(route("/groups/a/-/settings/deploy_tokens"), "POST")).toBe(true)
    expect(allowsMethod(route("/groups/a/-/settings/deploy_tokens/1/revoke"), "GET")).toBe(false)
    expect(allowsMethod(route("/groups/a/-/settings/general"), "GET")).toBe(false)
    expect(allowsMethod(route("/groups/a/-/settings/delete/confirm"), "GET")).toBe(false)
    expect(allowsMethod(route("/groups/a/-/settings/delete/confirm"), "POST")).toBe(true)
  })

  it("escape each path segment when building a URL", () => {
    expect(settingsPath("acme/my team", "deploy_tokens")).toBe("/groups/acme/my%20team/-/settings/deploy_tokens")
  })
})
