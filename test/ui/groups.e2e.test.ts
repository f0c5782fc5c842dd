import { Effect, Option } from "effect"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { LiveView } from "../../src/application/LiveView.js"
import { updateInstanceSettings } from "../../src/application/useCases/instance.js"
import { asUser } from "../support/testApp.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium, newContext } from "../support/ui/chromium.js"
import { csrfTokenOn, signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

/** Issue 15: groups and subgroups are created in the browser, by whom the use case allows. */
describe("creating groups and subgroups in the UI", () => {
  let world: UiWorld
  let browser: Browser
  let rootId: number

  const groupAt = (fullPath: string) =>
    world.proxy.run(LiveView.pipe(Effect.flatMap((view) => view.current), Effect.map((state) => state.groupAt(fullPath))))
  const signedInPage = async (username: string, forAxe = false): Promise<Page> => {
    const context = await newContext(browser, world.baseUrl, { forAxe })
    const page = await context.newPage()
    await signIn(page, username)
    return page
  }

  beforeAll(async () => {
    world = await startUiWorld()
    rootId = await world.user("root", { admin: true })
    await world.user("dana")
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("an administrator creates a group and then a subgroup; the list shows the tree", async () => {
    const page = await signedInPage("root")
    await page.goto("/groups")
    await page.getByRole("link", { name: "New group" }).click()
    await page.getByLabel("Group name").fill("Platform")
    await page.getByLabel("Group URL path").fill("platform")
    await page.getByRole("button", { name: "Create group" }).click()
    await page.waitForURL("**/groups/platform/-/dependency_proxy?notice=group_created")
    expect(await page.getByRole("status").filter({ hasText: "The group was created." }).count()).toBe(1)

    await page.getByRole("link", { name: "New subgroup" }).click()
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toContain("New subgroup")
    await page.getByLabel("Group name").fill("CI")
    await page.getByLabel("Group URL path").fill("ci")
    await page.getByRole("button", { name: "Create group" }).click()
    await page.waitForURL("**/groups/platform/ci/-/dependency_proxy?notice=group_created")
    const ci = await groupAt("platform/ci")
    expect(Option.map(ci, (g) => g.name)).toEqual(Option.some("CI"))

    await page.goto("/groups")
    const nested = page.locator(".group-tree .group-tree .group-row", { hasText: "platform/ci" })
    expect(await nested.count()).toBe(1)
    await page.screenshot({ path: await artifactPath("groups.png"), fullPage: true })
    await page.context().close()
  })

  it("a path the API refuses is shown on its field (422), what was typed kept", async () => {
    const page = await signedInPage("root")
    await page.goto("/groups/new")
    await page.getByLabel("Group name").fill("Bad")
    await page.getByLabel("Group URL path").fill("-bad path")
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Create group" }).click()])
    expect(response.status()).toBe(422)
    const path = page.getByLabel("Group URL path")
    expect(await path.getAttribute("aria-invalid")).toBe("true")
    expect(await path.inputValue()).toBe("-bad path")
    expect(await page.locator("#group-path-error").innerText()).toContain("can contain only letters")
    // A taken path, too.
    await path.fill("platform")
    await page.getByRole("button", { name: "Create group" }).click()
    expect(await page.locator("#group-path-error").innerText()).toContain("already taken")
    await page.screenshot({ path: await artifactPath("new-group.png"), fullPage: true })
    await page.context().close()
  })

  it("when only administrators may create top-level groups, a user gets no button and a 403 from the use case", async () => {
    await world.proxy.run(updateInstanceSettings({ usersMayCreateGroups: false }).pipe(asUser(rootId)))
    const page = await signedInPage("dana")
    await page.goto("/groups")
    expect(await page.getByRole("link", { name: "New group" }).count()).toBe(0)
    const response = await page.request.post("/groups/new", {
      form: { authenticity_token: await csrfTokenOn(page), name: "Mine", path: "mine" }
    })
    expect(response.status()).toBe(403)
    expect(await response.text()).toContain("only administrators may create top-level groups")
    expect(Option.isNone(await groupAt("mine"))).toBe(true)
    // A subgroup of a group she cannot see is "not found"; without the token the post is refused first.
    expect((await page.request.post("/groups/new", { form: { authenticity_token: await csrfTokenOn(page), name: "X", path: "x", parent_path: "platform" } })).status()).toBe(404)
    expect((await page.request.post("/groups/new", { form: { name: "X", path: "x" } })).status()).toBe(403)
    await page.context().close()
  })

  it("a Developer of the parent may not create a subgroup (403, nothing created)", async () => {
    const platform = Option.getOrThrow(await groupAt("platform"))
    await world.addMember(platform.groupId, (await world.user("devon")), 30)
    const page = await signedInPage("devon")
    await page.goto("/groups/platform/-/dependency_proxy")
    expect(await page.getByRole("link", { name: "New subgroup" }).count()).toBe(0)
    const response = await page.request.post("/groups/new", {
      form: { authenticity_token: await csrfTokenOn(page), name: "Side", path: "side", parent_path: "platform" }
    })
    expect(response.status()).toBe(403)
    expect(Option.isNone(await groupAt("platform/side"))).toBe(true)
    await page.context().close()
  })

  it("the groups list and the new group form have no serious or critical axe violations", async () => {
    const page = await signedInPage("root", true)
    for (const path of ["/groups", "/groups/new", "/groups/new?parent=platform"]) {
      await page.goto(path)
      expect(seriousOrCritical(await axeViolations(page)), path).toEqual([])
    }
    await page.context().close()
  })
})
