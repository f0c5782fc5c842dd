import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { basic, scopeFor } from "../support/registryApp.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium, newContext } from "../support/ui/chromium.js"
import { csrfTokenOn, signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

/** Issue 15: the token `docker login` needs is made, shown once, and revoked in the browser. */
describe("personal access tokens in the UI", () => {
  let world: UiWorld
  let browser: Browser

  /** `docker login`'s first step with the token as password: the registry token endpoint's status. */
  const loginStatus = async (username: string, secret: string) => {
    const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor("acme", "alpine") })
    return (await fetch(`${world.baseUrl}/jwt/auth?${query}`, { headers: { authorization: basic(username, secret) } })).status
  }

  beforeAll(async () => {
    world = await startUiWorld()
    const dev = await world.user("dev")
    await world.group("acme", dev)
    await world.user("eve")
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("creates a token shown once, usable for docker login; revoking it after confirming refuses it at once", async () => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await signIn(page, "dev")
    await page.getByRole("link", { name: "Access tokens" }).click()
    await page.getByLabel("Token name").fill("laptop")
    await page.getByLabel(/^read_registry/).check()
    await page.getByRole("button", { name: "Create personal access token" }).click()
    const token = (await page.locator("#new-token").textContent()) ?? ""
    expect(token).toMatch(/^glpat-/)
    expect(await page.getByRole("button", { name: "Copy token" }).isVisible()).toBe(true)
    expect(await page.getByRole("region", { name: /Active personal access tokens \(1\)/ }).innerText()).toContain("laptop")
    await page.screenshot({ path: await artifactPath("personal-access-tokens.png"), fullPage: true })
    expect(await loginStatus("dev", token)).toBe(200)

    // Shown once: the page again does not have it.
    await page.goto("/-/user_settings/personal_access_tokens")
    expect(await page.content()).not.toContain(token)

    await page.getByRole("button", { name: "Revoke laptop" }).click()
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Revoke laptop?")
    expect(await loginStatus("dev", token)).toBe(200)
    await page.getByRole("button", { name: "Revoke token" }).click()
    await page.waitForURL("**/personal_access_tokens?notice=revoked")
    expect(await page.getByRole("region", { name: /Revoked personal access tokens \(1\)/ }).innerText()).toContain("laptop")
    // As GitLab: a revoked token is refused (403 DENIED) on the next request.
    expect(await loginStatus("dev", token)).toBe(403)
    await context.close()
  })

  it("refuses a bad expiry and no scopes on their fields; another user's token id is not found", async () => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await signIn(page, "dev")
    await page.goto("/-/user_settings/personal_access_tokens")
    await page.getByLabel("Token name").fill("ci")
    await page.getByLabel("Expiration date").fill("tomorrow")
    await page.getByRole("button", { name: "Create personal access token" }).click()
    expect(await page.locator("#token-expires-error").innerText()).toContain("YYYY-MM-DD")
    await page.getByLabel("Expiration date").fill("")
    await page.getByLabel(/^read_registry/).uncheck()
    await page.getByRole("button", { name: "Create personal access token" }).click()
    expect(await page.locator("#token-scopes-error").innerText()).toContain("at least one")
    await page.getByLabel(/^read_registry/).check()
    await page.getByRole("button", { name: "Create personal access token" }).click()
    const ownId = await page.locator("form[action$='/revoke']").first().getAttribute("action")
    await context.close()

    const other = await newContext(browser, world.baseUrl)
    const evePage = await other.newPage()
    await signIn(evePage, "eve")
    const response = await evePage.request.post(ownId ?? "", { form: { authenticity_token: await csrfTokenOn(evePage) } })
    expect(response.status()).toBe(404)
    expect((await evePage.request.post(`${ownId ?? ""}/confirm`, { form: {} })).status()).toBe(403)
    await other.close()
  })

  it("has no serious or critical axe violations", async () => {
    const audit = await newContext(browser, world.baseUrl, { forAxe: true })
    const page = await audit.newPage()
    await signIn(page, "dev")
    await page.goto("/-/user_settings/personal_access_tokens")
    expect(seriousOrCritical(await axeViolations(page))).toEqual([])
    await audit.close()
  })
})
