import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { updateInstanceSettings } from "../../src/application/useCases/instance.js"
import { asUser } from "../support/testApp.js"
import { basic, scopeFor } from "../support/registryApp.js"
import { launchChromium, newContext } from "../support/ui/chromium.js"
import { PASSWORD, signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

/** Issue 15: with the instance-wide switch off, no surface may still call a group's proxy "Enabled". */
describe("the instance-wide Dependency Proxy switch, off", () => {
  let world: UiWorld
  let browser: Browser
  let rootId: number
  let token: string

  const rest = async () => {
    const response = await fetch(`${world.baseUrl}/api/v4/groups/acme/dependency_proxy`, { headers: { "private-token": token } })
    expect(response.status).toBe(200)
    return (await response.json()) as Record<string, unknown>
  }
  const graphql = async () => {
    const response = await fetch(`${world.baseUrl}/api/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: `{ group(fullPath: "acme") { dependencyProxyStatus dependencyProxySetting { enabled } } }` })
    })
    return (await response.json()) as unknown
  }
  /** A pull by the group's Owner: the registry's answer for the manifest. */
  const pull = async () => {
    const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor("acme", "alpine") })
    const auth = await fetch(`${world.baseUrl}/jwt/auth?${query}`, { headers: { authorization: basic("olivia", PASSWORD) } })
    const { token: bearer } = (await auth.json()) as { token: string }
    const response = await fetch(`${world.baseUrl}/v2/acme/dependency_proxy/containers/alpine/manifests/latest`, { headers: { authorization: `Bearer ${bearer}` } })
    return { status: response.status, body: await response.text() }
  }
  const setSwitch = (enabled: boolean) => world.proxy.run(updateInstanceSettings({ dependencyProxyEnabled: enabled }).pipe(asUser(rootId)))

  beforeAll(async () => {
    world = await startUiWorld()
    rootId = await world.user("root", { admin: true })
    const olivia = await world.user("olivia")
    await world.group("acme", olivia)
    token = (await world.proxy.run(createPersonalAccessToken({ userId: olivia, name: "api", scopes: ["api"], expiresAt: null }))).token
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("shows Enabled while the switch is on", async () => {
    expect(await rest()).toMatchObject({ enabled: true, instance_enabled: true, status: "Enabled" })
    expect(await graphql()).toEqual({ data: { group: { dependencyProxyStatus: "Enabled", dependencyProxySetting: { enabled: true } } } })
  })

  it("says 'Disabled for this instance' on the group page, the groups list, REST and GraphQL, while pulls are refused", async () => {
    await setSwitch(false)
    try {
      // The group's own setting is unchanged (an Owner's choice survives the switch); the status says what a pull gets.
      expect(await rest()).toMatchObject({ enabled: true, instance_enabled: false, status: "Disabled for this instance" })
      expect(await graphql()).toEqual({ data: { group: { dependencyProxyStatus: "Disabled for this instance", dependencyProxySetting: { enabled: true } } } })
      // As with DEPENDENCY_PROXY_ENABLED off: the same answer as for a group that does not exist.
      const refused = await pull()
      expect(refused.status).toBe(404)
      expect(refused.body).toContain("NAME_UNKNOWN")

      const context = await newContext(browser, world.baseUrl)
      const page = await context.newPage()
      await signIn(page, "olivia")
      await page.goto("/groups/acme/-/dependency_proxy")
      expect(await page.locator("#proxy-status").innerText()).toBe("Disabled for this instance")
      await page.goto("/groups")
      expect(await page.locator(".group-row", { hasText: "acme" }).innerText()).toContain("Disabled for this instance")
      await context.close()
    } finally {
      await setSwitch(true)
    }
    expect(await rest()).toMatchObject({ status: "Enabled" })
  })
})
