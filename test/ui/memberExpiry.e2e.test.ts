import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { changeGroup } from "../../src/application/useCases/groups.js"
import { AccessLevels } from "../../src/domain/AccessLevel.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium } from "../support/ui/chromium.js"
import { memberRow, signedInPage as signedInPageAs } from "../support/ui/pages.js"
import { startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

const MEMBERS = "/groups/acme/-/group_members"
const DAY_MS = 24 * 3600 * 1000

/** Issue 15: a membership's optional expiry date, set when adding and changed later; an expired one grants nothing. */
describe("member expiry on the members page", () => {
  let world: UiWorld
  let browser: Browser
  let ids: { gus: number; acme: number }

  const signedInPage = (username: string, forAxe = false) => signedInPageAs(browser, world.baseUrl, username, forAxe)
  const rowOf = memberRow

  beforeAll(async () => {
    world = await startUiWorld()
    const olivia = await world.user("olivia")
    await world.user("tina")
    await world.user("uma")
    const gus = await world.user("gus")
    const acme = await world.group("acme", olivia)
    await world.addMember(acme, gus, AccessLevels.guest)
    ids = { gus, acme }
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("an Owner adds a member with an expiry date, changes it, is refused a past or malformed date, and clears it", async () => {
    const page = await signedInPage("olivia")
    await page.goto(MEMBERS)
    await page.getByLabel("Username").fill("tina")
    await page.getByLabel("Access expiration date").fill("2099-01-31")
    await page.getByRole("button", { name: "Add member" }).click()
    await page.waitForURL("**/group_members?notice=added")
    expect(await rowOf(page, "tina").innerText()).toContain("2099-01-31")
    expect(await page.getByLabel("Expiration date of tina").inputValue()).toBe("2099-01-31")
    await page.screenshot({ path: await artifactPath("members-expiry.png"), fullPage: true })

    await page.getByLabel("Role of tina").selectOption({ label: "Maintainer" })
    await page.getByLabel("Expiration date of tina").fill("2000-01-01")
    await rowOf(page, "tina").getByRole("button", { name: "Change role" }).click()
    expect(await page.getByRole("alert").innerText()).toContain("cannot be a date in the past")
    await page.getByLabel("Expiration date of tina").fill("soon")
    await rowOf(page, "tina").getByRole("button", { name: "Change role" }).click()
    expect(await page.getByRole("alert").innerText()).toContain("must be a date, YYYY-MM-DD")

    // The refused day changed nothing, the role chosen with it included: both in one append, or neither.
    await page.goto(MEMBERS)
    expect(await page.getByLabel("Role of tina").inputValue()).toBe(String(AccessLevels.developer))
    expect(await page.getByLabel("Expiration date of tina").inputValue()).toBe("2099-01-31")
    await page.getByLabel("Expiration date of tina").fill("2098-06-30")
    await rowOf(page, "tina").getByRole("button", { name: "Change role" }).click()
    await page.waitForURL("**/group_members?notice=role_changed")
    expect(await rowOf(page, "tina").innerText()).toContain("2098-06-30")
    await page.getByLabel("Expiration date of tina").fill("")
    await rowOf(page, "tina").getByRole("button", { name: "Change role" }).click()
    await page.waitForURL("**/group_members?notice=role_changed")
    expect(await rowOf(page, "tina").innerText()).toContain("Never")

    await page.getByLabel("Username").fill("uma")
    await page.getByLabel("Access expiration date").fill("2001-01-01")
    await page.getByRole("button", { name: "Add member" }).click()
    expect(await page.locator("#member-expires-error").innerText()).toContain("cannot be a date in the past")
    await page.context().close()
  })

  it("an expired membership is shown as Expired and grants nothing from that day on", async () => {
    const gus = await signedInPage("gus")
    expect((await gus.goto("/groups/acme/-/dependency_proxy"))?.status()).toBe(200)
    // An expiry set two days ago for yesterday: the command carries the time it was decided at.
    const now = Date.now()
    const yesterday = new Date(now - (now % DAY_MS) - DAY_MS)
    await world.proxy.run(changeGroup(ids.acme, { _tag: "SetMemberExpiry", userId: ids.gus, expiry: { expiresAt: yesterday, now: new Date(yesterday.getTime() - DAY_MS) } }))
    expect((await gus.goto("/groups/acme/-/dependency_proxy"))?.status()).toBe(404)
    await gus.context().close()

    const owner = await signedInPage("olivia")
    await owner.goto(MEMBERS)
    expect(await rowOf(owner, "gus").innerText()).toContain(`Expired on ${yesterday.toISOString().slice(0, 10)}`)
    await owner.context().close()
  })

  it("has no serious or critical axe violations with the expiry fields", async () => {
    const page = await signedInPage("olivia", true)
    await page.goto(MEMBERS)
    expect(seriousOrCritical(await axeViolations(page))).toEqual([])
    await page.context().close()
  })
})
