import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AccessLevels } from "../../src/domain/AccessLevel.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium } from "../support/ui/chromium.js"
import { memberRow, signedInPage as signedInPageAs } from "../support/ui/pages.js"
import { csrfTokenOn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

/** Issue 15: an Owner manages members in the browser; others see them. */
describe("the members page", () => {
  let world: UiWorld
  let browser: Browser
  let ids: { olivia: number; dev: number; gus: number; acme: number }

  const signedInPage = (username: string, forAxe = false) => signedInPageAs(browser, world.baseUrl, username, forAxe)
  const rowOf = memberRow

  beforeAll(async () => {
    world = await startUiWorld()
    const olivia = await world.user("olivia")
    const dev = await world.user("dev")
    const gus = await world.user("gus")
    const acme = await world.group("acme", olivia)
    await world.group("team", olivia, acme)
    await world.addMember(acme, gus, AccessLevels.guest)
    ids = { olivia, dev, gus, acme }
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("an Owner adds a member by username with a role, changes the role, and removes them after confirming", async () => {
    const page = await signedInPage("olivia")
    await page.goto("/groups/acme/-/dependency_proxy")
    await page.getByRole("link", { name: "Members" }).click()
    await page.getByLabel("Username").fill("dev")
    await page.getByLabel("Role", { exact: true }).selectOption({ label: "Developer" })
    await page.getByRole("button", { name: "Add member" }).click()
    await page.waitForURL("**/group_members?notice=added")
    expect(await rowOf(page, "dev").innerText()).toContain("Direct member")
    expect(await page.getByLabel("Role of dev").inputValue()).toBe(String(AccessLevels.developer))

    await page.getByLabel("Role of dev").selectOption({ label: "Maintainer" })
    await rowOf(page, "dev").getByRole("button", { name: "Change role" }).click()
    await page.waitForURL("**/group_members?notice=role_changed")
    expect(await page.getByLabel("Role of dev").inputValue()).toBe(String(AccessLevels.maintainer))
    await page.screenshot({ path: await artifactPath("members.png"), fullPage: true })

    await page.getByRole("button", { name: "Remove dev" }).click()
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Remove dev from acme?")
    await page.getByRole("button", { name: "Remove member" }).click()
    await page.waitForURL("**/group_members?notice=removed")
    expect(await rowOf(page, "dev").count()).toBe(0)
    await page.context().close()
  })

  it("refuses an unknown username on its field, and keeps the last Owner", async () => {
    const page = await signedInPage("olivia")
    await page.goto("/groups/acme/-/group_members")
    await page.getByLabel("Username").fill("nobody")
    await page.getByRole("button", { name: "Add member" }).click()
    expect(await page.locator("#member-username-error").innerText()).toContain("no user has this username")
    const response = await page.request.post("/groups/acme/-/group_members/remove/confirm", {
      form: { authenticity_token: await csrfTokenOn(page), user_id: String(ids.olivia) }
    })
    expect(response.status()).toBe(422)
    await page.context().close()
  })

  it("a subgroup shows inherited members as such; a Guest sees members but no forms, and a Guest's post is a 403", async () => {
    const page = await signedInPage("gus")
    await page.goto("/groups/acme/team/-/group_members")
    // The creator of a subgroup is its Owner directly, and inherits Owner from acme as well.
    expect(await rowOf(page, "olivia").allInnerTexts()).toEqual([expect.stringContaining("Direct member"), expect.stringContaining("Inherited from acme")])
    expect(await rowOf(page, "gus").innerText()).toMatch(/Guest\s+Inherited from acme/)
    expect(await page.getByRole("button", { name: "Add member" }).count()).toBe(0)
    expect(await page.getByRole("button", { name: /Remove/ }).count()).toBe(0)
    const response = await page.request.post("/groups/acme/-/group_members/add", {
      form: { authenticity_token: await csrfTokenOn(page), username: "dev", access_level: "50" }
    })
    expect(response.status()).toBe(403)
    // Without the CSRF token nothing is looked at.
    expect((await page.request.post("/groups/acme/-/group_members/add", { form: { username: "dev", access_level: "50" } })).status()).toBe(403)
    await page.context().close()
  })

  it("has no serious or critical axe violations, for an Owner and on the confirmation", async () => {
    const page = await signedInPage("olivia", true)
    await page.goto("/groups/acme/-/group_members")
    expect(seriousOrCritical(await axeViolations(page))).toEqual([])
    await page.getByRole("button", { name: "Remove gus" }).click()
    expect(seriousOrCritical(await axeViolations(page))).toEqual([])
    await page.context().close()
  })
})
