import { Option } from "effect"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { updateGroup } from "../../src/application/useCases/updateGroup.js"
import { userByUsername } from "../../src/application/queries.js"
import { AccessLevels } from "../../src/domain/AccessLevel.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium, newContext } from "../support/ui/chromium.js"
import { csrfTokenOn, signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

/** An Owner renames, moves and deletes their group in the browser, as GitLab's group settings allow. */
describe("a group's name, path and deletion in the UI", () => {
  let world: UiWorld
  let browser: Browser

  const signedInPage = async (username: string, forAxe = false): Promise<Page> => {
    const context = await newContext(browser, world.baseUrl, { forAxe })
    const page = await context.newPage()
    await signIn(page, username)
    return page
  }
  /** Presses a form's button and answers the response to its post, whatever page it shows. */
  const submit = async (page: Page, button: string) =>
    (await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: button }).click()]))[0]
  const nameAt = async (fullPath: string) => Option.map(await world.groupState(fullPath), (g) => g.name)
  const userIdOf = async (username: string) => Option.getOrThrow(await world.proxy.run(userByUsername(username))).userId

  beforeAll(async () => {
    world = await startUiWorld()
    const olga = await world.user("olga")
    const mia = await world.user("mia")
    const acme = await world.group("acme", olga)
    await world.group("team", olga, acme)
    await world.group("other", olga)
    await world.addMember(acme, mia, AccessLevels.maintainer)
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("an Owner changes the name, path and description; the subgroup moves with it and the old path is gone", async () => {
    const page = await signedInPage("olga", true)
    await page.goto("/groups/acme/-/settings")
    expect(seriousOrCritical(await axeViolations(page))).toEqual([])
    expect(await page.getByLabel("Group URL path").inputValue()).toBe("acme")
    await page.getByLabel("Group name").fill("Acme Corp")
    await page.getByLabel("Group URL path").fill("acme-corp")
    await page.getByLabel("Group description (optional)").fill("Images for the build fleet")
    await page.getByRole("button", { name: "Save changes" }).click()
    await page.waitForURL("**/groups/acme-corp/-/settings?notice=general_saved")
    expect(await page.getByRole("status").filter({ hasText: "The group was saved." }).count()).toBe(1)
    expect(await nameAt("acme-corp")).toEqual(Option.some("Acme Corp"))
    expect(Option.map(await world.groupState("acme-corp"), (g) => g.description)).toEqual(Option.some("Images for the build fleet"))
    expect(Option.isSome(await world.groupState("acme-corp/team"))).toBe(true)
    expect(Option.isNone(await world.groupState("acme"))).toBe(true)
    expect((await page.goto("/groups/acme/-/settings"))?.status()).toBe(404)
  })

  it("a path already taken, or a blank name, comes back on its field with what was typed, and nothing changes", async () => {
    const page = await signedInPage("olga")
    await page.goto("/groups/acme-corp/-/settings")
    await page.getByLabel("Group name").fill("Renamed")
    await page.getByLabel("Group URL path").fill("other")
    const taken = await submit(page, "Save changes")
    expect(taken.status()).toBe(422)
    expect(await page.locator("#group-path-error").innerText()).toContain("already taken")
    expect(await page.getByLabel("Group URL path").getAttribute("aria-invalid")).toBe("true")
    expect(await page.getByLabel("Group name").inputValue()).toBe("Renamed")
    await page.getByLabel("Group name").fill("")
    await page.getByLabel("Group URL path").fill("acme-corp")
    const blank = await submit(page, "Save changes")
    expect(blank.status()).toBe(422)
    expect(await page.locator("#group-name-error").innerText()).toContain("can't be blank")
    expect(await nameAt("acme-corp")).toEqual(Option.some("Acme Corp"))
    expect(await nameAt("other")).toEqual(Option.some("OTHER"))
  })

  it("a save that changes nothing keeps the description as it was, line breaks and a leading one included", async () => {
    const other = Option.getOrThrow(await world.groupState("other"))
    await world.proxy.run(updateGroup(other.groupId, { description: "\nfirst line\nsecond line" }))
    const page = await signedInPage("olga")
    await page.goto("/groups/other/-/settings")
    expect(await page.getByLabel("Group description (optional)").inputValue()).toBe("\nfirst line\nsecond line")
    await page.getByRole("button", { name: "Save changes" }).click()
    await page.waitForURL("**/groups/other/-/settings?notice=general_saved")
    expect(Option.map(await world.groupState("other"), (g) => g.description)).toEqual(Option.some("\nfirst line\nsecond line"))
  })

  it("a form left open while its group was renamed and another took the path changes and deletes nothing (409)", async () => {
    const original = Option.getOrThrow(await world.groupState("other"))
    const page = await signedInPage("olga")
    await page.goto("/groups/other/-/settings")
    await page.getByRole("button", { name: "Delete group" }).click()
    await page.waitForURL("**/groups/other/-/settings/delete")
    const settings = await (await signedInPage("olga")).context().newPage()
    await settings.goto("/groups/other/-/settings")
    // Meanwhile: the group moves away, and a new one takes its path.
    await world.proxy.run(updateGroup(original.groupId, { path: "moved" }))
    const movedId = Option.getOrThrow(await world.groupState("moved")).groupId
    expect(movedId).toBe(original.groupId)
    await world.group("other", await userIdOf("olga"))
    await page.getByLabel("Type the group's full path to confirm").fill("other")
    const refused = await submit(page, "Delete group")
    expect(refused.status()).toBe(409)
    await settings.getByLabel("Group name").fill("Taken over")
    const stale = await submit(settings, "Save changes")
    expect(stale.status()).toBe(409)
    expect(await settings.getByRole("alert").innerText()).toContain("Nothing was changed")
    expect(await nameAt("other")).toEqual(Option.some("OTHER"))
    expect(await nameAt("moved")).toEqual(Option.some("OTHER"))
  })

  it("a user of another group is told the group does not exist (404), and changes nothing", async () => {
    await world.user("ugo")
    const page = await signedInPage("ugo")
    const token = await csrfTokenOn(page)
    expect((await page.goto("/groups/acme-corp/-/settings"))?.status()).toBe(404)
    expect((await page.request.post("/groups/acme-corp/-/settings/general", { form: { authenticity_token: token, name: "Mine", path: "mine" } })).status()).toBe(404)
    expect((await page.request.post("/groups/acme-corp/-/settings/delete/confirm", { form: { authenticity_token: token, confirm_path: "acme-corp" } })).status()).toBe(404)
    expect(await nameAt("acme-corp")).toEqual(Option.some("Acme Corp"))
  })

  it("a Maintainer may neither change nor delete the group (403), and a post without the CSRF token is refused", async () => {
    const page = await signedInPage("mia")
    await page.goto("/groups/acme-corp/-/dependency_proxy")
    const token = await csrfTokenOn(page)
    expect((await page.request.post("/groups/acme-corp/-/settings/general", { form: { authenticity_token: token, name: "Mine", path: "mine" } })).status()).toBe(403)
    expect((await page.request.post("/groups/acme-corp/-/settings/delete/confirm", { form: { authenticity_token: token, confirm_path: "acme-corp" } })).status()).toBe(403)
    const owner = await signedInPage("olga")
    await owner.goto("/groups")
    expect((await owner.request.post("/groups/acme-corp/-/settings/delete/confirm", { form: { confirm_path: "acme-corp" } })).status()).toBe(403)
    expect(await nameAt("acme-corp")).toEqual(Option.some("Acme Corp"))
  })

  it("deleting asks for the full path; a wrong one changes nothing, the right one deletes the group and its subgroup", async () => {
    const page = await signedInPage("olga")
    await page.goto("/groups/acme-corp/-/settings")
    await page.getByRole("button", { name: "Delete group" }).click()
    await page.waitForURL("**/groups/acme-corp/-/settings/delete")
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Delete acme-corp?")
    expect(await page.locator("main").innerText()).toContain("1 subgroup")
    await page.getByLabel("Type the group's full path to confirm").fill("acme")
    const wrong = await submit(page, "Delete group")
    expect(wrong.status()).toBe(422)
    expect(await page.locator("#confirm-path-error").innerText()).toContain("Type acme-corp exactly")
    expect(Option.isSome(await world.groupState("acme-corp"))).toBe(true)

    await page.getByLabel("Type the group's full path to confirm").fill("acme-corp")
    await page.screenshot({ path: await artifactPath("delete-group.png"), fullPage: true })
    await page.getByRole("button", { name: "Delete group" }).click()
    await page.waitForURL("**/groups?notice=group_deleted")
    expect(await page.getByRole("status").innerText()).toContain("The group is deleted")
    expect(Option.isNone(await world.groupState("acme-corp"))).toBe(true)
    expect(Option.isNone(await world.groupState("acme-corp/team"))).toBe(true)
    expect(await page.locator(".group-tree").innerText()).not.toContain("acme-corp")
    expect((await page.goto("/groups/acme-corp/-/dependency_proxy"))?.status()).toBe(404)
  })
})
