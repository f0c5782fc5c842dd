import { Option } from "effect"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium, newContext } from "../support/ui/chromium.js"
import { signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

const PAGE = "/groups/acme/-/dependency_proxy"
const SECRET = "dckr_pat_Sup3rSecretValue"

/**
 * An Owner manages the group's dependency proxy in the browser. The tests run in order, as one Owner's session;
 * each checks what the server really stored, not only what the page says.
 */
describe("an Owner's dependency proxy settings", () => {
  let world: UiWorld
  let browser: Browser
  let context: BrowserContext
  let page: Page

  const settings = async () => {
    const group = await world.groupState("acme")
    if (Option.isNone(group)) throw new Error("the group acme is gone")
    return group.value.settings
  }
  const notice = () => page.locator(".notice.success").textContent()
  const save = async (button: string) => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: button, exact: true }).click()
    ])
    await page.waitForLoadState()
    return response.status()
  }

  beforeAll(async () => {
    world = await startUiWorld()
    const olivia = await world.user("olivia")
    await world.group("acme", olivia)
    browser = await launchChromium()
    context = await newContext(browser, world.baseUrl)
    page = await context.newPage()
    await signIn(page, "olivia")
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("turns the proxy off and on", async () => {
    await page.goto(PAGE)
    expect(await page.getByLabel("Enable Proxy").isChecked()).toBe(true)
    await page.getByLabel("Enable Proxy").uncheck()
    expect(await save("Save changes")).toBe(303)
    expect(await notice()).toBe("Dependency proxy settings saved.")
    expect(await page.locator(".summary .badge").textContent()).toBe("Disabled")
    expect((await settings()).enabled).toBe(false)
    await page.getByLabel("Enable Proxy").check()
    await save("Save changes")
    expect(await page.locator(".summary .badge").textContent()).toBe("Enabled")
    expect((await settings()).enabled).toBe(true)
  })

  it("refuses only one of identity and secret, with the message on the field, and stores nothing", async () => {
    await page.goto(PAGE)
    await page.getByLabel("Identity", { exact: true }).fill("hubuser")
    expect(await save("Save changes")).toBe(422)
    const secret = page.getByLabel("Secret", { exact: true })
    expect(await secret.getAttribute("aria-invalid")).toBe("true")
    expect(await secret.getAttribute("aria-describedby")).toContain("secret-error")
    expect(await page.locator("#secret-error").textContent()).toBe("Secret must be set together with the identity (both or neither).")
    expect(await page.getByLabel("Identity", { exact: true }).inputValue()).toBe("hubuser")

    await page.getByLabel("Identity", { exact: true }).fill("")
    await secret.fill(SECRET)
    expect(await save("Save changes")).toBe(422)
    expect(await page.locator("#identity-error").textContent()).toBe("Identity must be set together with the secret (both or neither).")
    expect(await page.content()).not.toContain(SECRET)
    expect(await settings()).toMatchObject({ identity: null, secret: null })
  })

  it("sets Docker Hub credentials, shows the secret only as set, and clears them", async () => {
    await page.goto(PAGE)
    await page.getByLabel("Identity", { exact: true }).fill("hubuser")
    await page.getByLabel("Secret", { exact: true }).fill(SECRET)
    expect(await save("Save changes")).toBe(303)
    expect(await notice()).toBe("Dependency proxy settings saved.")
    expect(await page.locator("#secret-hint").textContent()).toContain("Secret: set.")
    expect(await page.getByLabel("Secret", { exact: true }).inputValue()).toBe("")
    expect(await page.getByLabel("Identity", { exact: true }).inputValue()).toBe("hubuser")
    expect(await page.content()).not.toContain(SECRET)
    const stored = await settings()
    expect(stored.identity).toBe("hubuser")
    expect(stored.secret).not.toBeNull()

    // Saving again with the secret left empty keeps the credentials: it is never sent back, so empty means "keep".
    await page.getByLabel("Enable Proxy").check()
    expect(await save("Save changes")).toBe(303)
    expect((await settings()).secret).toEqual(stored.secret)

    expect(await save("Clear credentials")).toBe(303)
    expect(await notice()).toBe("Docker Hub credentials cleared.")
    expect(await page.locator("#secret-hint").textContent()).toContain("Secret: not set.")
    expect(await page.getByLabel("Identity", { exact: true }).inputValue()).toBe("")
    expect(await page.getByRole("button", { name: "Clear credentials" }).count()).toBe(0)
    expect(await settings()).toMatchObject({ identity: null, secret: null })
  })

  it("sets the image TTL policy, and shows the domain's range rule on the field", async () => {
    await page.goto(PAGE)
    await page.getByLabel("Clear unused images automatically").check()
    await page.getByLabel("Days an image may go unread").fill("14")
    expect(await save("Save TTL policy")).toBe(303)
    expect(await notice()).toBe("Image TTL policy saved.")
    expect(await page.getByLabel("Days an image may go unread").inputValue()).toBe("14")
    expect((await settings()).ttlPolicy).toEqual({ enabled: true, ttlDays: 14 })

    await page.getByLabel("Days an image may go unread").fill("0")
    expect(await save("Save TTL policy")).toBe(422)
    expect(await page.locator("#ttl-error").textContent()).toBe("TTL must be a whole number of days between 1 and 36500.")
    expect((await settings()).ttlPolicy).toEqual({ enabled: true, ttlDays: 14 })
  })

  it("reads the settings history: when, who, what changed; the secret only as changed", async () => {
    await page.goto(PAGE)
    const rows = (await page.locator("#settings-history tbody tr").allInnerTexts()).map((row) => row.split("\t").slice(1))
    // Newest event first, one event's changes in their own order; the first column (the time) is left out.
    expect(rows).toEqual([
      ["olivia", "TTL policy enabled", "false → true"],
      ["olivia", "TTL (days)", "90 → 14"],
      ["olivia", "Docker Hub identity", "hubuser → none"],
      ["olivia", "Docker Hub secret", "changed"],
      ["olivia", "Docker Hub identity", "none → hubuser"],
      ["olivia", "Docker Hub secret", "changed"],
      ["olivia", "Proxy enabled", "false → true"],
      ["olivia", "Proxy enabled", "true → false"]
    ])
    expect(await page.locator("#settings-history time").first().getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/)
    await page.locator("#settings").screenshot({ path: await artifactPath("settings-section.png") })
  })

  it("the copy button works from the keyboard under the real Content-Security-Policy", async () => {
    const violations: Array<string> = []
    page.on("console", (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text())
    })
    page.on("pageerror", (error) => violations.push(error.message))
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: world.baseUrl })
    await page.goto(PAGE)
    const button = page.getByRole("button", { name: "Copy image prefix" })
    expect(await button.isVisible()).toBe(true)
    await button.focus()
    await page.keyboard.press("Enter")
    await expect.poll(() => page.locator("#copy-status").textContent()).toBe("Copied to the clipboard.")
    const prefix = `${world.proxy.host}/acme/dependency_proxy/containers`
    expect(await page.locator("#image-prefix").textContent()).toBe(prefix)
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(prefix)
    expect(await page.locator("#pull-example").textContent()).toBe(`docker pull ${prefix}/alpine:latest`)
    expect(violations).toEqual([])
  })

  it("a forged form post without the CSRF token is refused with 403 and changes nothing", async () => {
    const before = await settings()
    for (const form of [{ enabled: "" }, { enabled: "", authenticity_token: "forged" }]) {
      const response = await context.request.post(`${PAGE}/settings`, { form, maxRedirects: 0 })
      expect(response.status()).toBe(403)
      expect(await response.text()).toContain("Request refused")
    }
    expect(await settings()).toEqual(before)
  })

  it("the group list and the Owner's group page have no serious or critical axe violations", async () => {
    const audit = await newContext(browser, world.baseUrl, { forAxe: true })
    const auditPage = await audit.newPage()
    await signIn(auditPage, "olivia")
    expect(new URL(auditPage.url()).pathname).toBe("/groups")
    expect(await auditPage.locator("h1").count()).toBe(1)
    expect(seriousOrCritical(await axeViolations(auditPage))).toEqual([])
    await auditPage.goto(PAGE)
    expect(await auditPage.locator("h1").count()).toBe(1)
    expect(await auditPage.locator("header").count()).toBe(1)
    expect(await auditPage.locator("main").count()).toBe(1)
    expect(seriousOrCritical(await axeViolations(auditPage))).toEqual([])
    await audit.close()
  })

  it("is readable 375 px wide: only table containers scroll sideways", async () => {
    const narrow = await newContext(browser, world.baseUrl, { width: 375 })
    const phone = await narrow.newPage()
    const pageOverflow = async () => Number(await phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))
    await phone.goto("/users/sign_in")
    expect(await pageOverflow()).toBe(0)
    await signIn(phone, "olivia")
    expect(await pageOverflow()).toBe(0)
    await phone.goto(PAGE)
    expect(await pageOverflow()).toBe(0)
    await phone.screenshot({ path: await artifactPath("group-page-375px.png"), fullPage: true })
    await narrow.close()
  })
})
