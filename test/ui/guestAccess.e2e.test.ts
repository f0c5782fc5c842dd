import { Option } from "effect"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AccessLevels } from "../../src/domain/AccessLevel.js"
import { launchChromium, newContext } from "../support/ui/chromium.js"
import { csrfTokenOn, signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

const PAGE = "/groups/acme/-/dependency_proxy"

/** What members below Owner see, and that the server, not the page, enforces the Owner rule. */
describe("a Guest (and a Maintainer) on the dependency proxy page", () => {
  let world: UiWorld
  let browser: Browser
  let context: BrowserContext
  let page: Page

  const settingsOfAcme = async () => {
    const group = await world.groupState("acme")
    if (Option.isNone(group)) throw new Error("the group acme is gone")
    return group.value.settings
  }

  beforeAll(async () => {
    world = await startUiWorld()
    const olivia = await world.user("olivia")
    const acme = await world.group("acme", olivia)
    const tools = await world.group("tools", olivia, acme)
    await world.group("secret-project", olivia)
    await world.addMember(acme, await world.user("gus"), AccessLevels.guest)
    await world.addMember(tools, await world.user("mara"), AccessLevels.maintainer)
    await world.user("root2", { admin: true })
    browser = await launchChromium()
    context = await newContext(browser, world.baseUrl)
    page = await context.newPage()
    await signIn(page, "gus")
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("lists only the groups the Guest can see: the group and its subgroup, not the others", async () => {
    await page.goto("/groups")
    // The list is a tree: acme/tools sits under acme.
    const rows = await Promise.all((await page.locator(".group-row").all()).map((row) => row.locator(":scope > *").allInnerTexts()))
    expect(await page.locator(".group-tree .group-tree .group-row a").allInnerTexts()).toEqual(["TOOLS"])
    expect(rows).toEqual([
      ["ACME", "acme", "Guest", "Enabled"],
      ["TOOLS", "acme/tools", "Guest", "Enabled"]
    ])
  })

  it("shows the prefix, state and cache, but no settings controls and no settings history", async () => {
    await page.goto(PAGE)
    expect(await page.locator("#image-prefix").textContent()).toBe(`${world.proxy.host}/acme/dependency_proxy/containers`)
    expect(await page.locator(".summary .badge").textContent()).toBe("Enabled")
    expect(await page.getByRole("heading", { name: "Cached images" }).count()).toBe(1)
    expect(await page.getByRole("heading", { name: "Settings" }).count()).toBe(0)
    expect(await page.getByRole("heading", { name: "Settings history" }).count()).toBe(0)
    // The only form on the page is the header's sign-out.
    expect(await page.locator("form").count()).toBe(1)
    expect(await page.getByRole("checkbox").count()).toBe(0)
    expect(await page.getByRole("textbox").count()).toBe(0)
  })

  it("a hand-made settings post by the Guest, with a valid CSRF token, is refused with 403 and changes nothing", async () => {
    await page.goto(PAGE)
    const token = await csrfTokenOn(page)
    const posts: ReadonlyArray<readonly [string, Record<string, string>]> = [
      ["settings", { authenticity_token: token }],
      ["credentials/clear", { authenticity_token: token }],
      ["ttl_policy", { authenticity_token: token, ttl_enabled: "1", ttl: "1" }],
      ["purge", { authenticity_token: token }],
      ["purge/confirm", { authenticity_token: token }]
    ]
    for (const [path, form] of posts) {
      const response = await context.request.post(`${PAGE}/${path}`, { form, maxRedirects: 0 })
      expect(response.status(), path).toBe(403)
      expect(await response.text()).toContain("Only the group&#39;s Owners can change its dependency proxy.")
    }
    expect(await settingsOfAcme()).toMatchObject({ enabled: true, ttlPolicy: { enabled: false } })
  })

  it("a Maintainer is refused too: managing the dependency proxy needs Owner (GitLab 17.0+)", async () => {
    const maintainer = await newContext(browser, world.baseUrl)
    const maraPage = await maintainer.newPage()
    await signIn(maraPage, "mara")
    await maraPage.goto("/groups/acme/tools/-/dependency_proxy")
    expect(await maraPage.getByRole("heading", { name: "Settings" }).count()).toBe(0)
    const response = await maintainer.request.post("/groups/acme/tools/-/dependency_proxy/settings", {
      form: { authenticity_token: await csrfTokenOn(maraPage) },
      maxRedirects: 0
    })
    expect(response.status()).toBe(403)
    await maintainer.close()
  })

  it("a group the Guest may not see answers 404, the same as a group that does not exist", async () => {
    const hidden = await page.goto("/groups/secret-project/-/dependency_proxy")
    expect(hidden?.status()).toBe(404)
    const hiddenText = await page.locator("main").innerText()
    const missing = await page.goto("/groups/no-such-group/-/dependency_proxy")
    expect(missing?.status()).toBe(404)
    expect(await page.locator("main").innerText()).toBe(hiddenText)
    const token = await csrfTokenOn(page)
    const post = await context.request.post("/groups/secret-project/-/dependency_proxy/settings", { form: { authenticity_token: token }, maxRedirects: 0 })
    expect(post.status()).toBe(404)
  })

  it("an administrator sees every group and gets the Owner's controls", async () => {
    const admin = await newContext(browser, world.baseUrl)
    const adminPage = await admin.newPage()
    await signIn(adminPage, "root2")
    expect(await adminPage.locator(".group-row > a").allInnerTexts()).toEqual(["ACME", "TOOLS", "SECRET-PROJECT"])
    await adminPage.goto("/groups/secret-project/-/dependency_proxy")
    expect(await adminPage.getByRole("heading", { name: "Settings", exact: true }).count()).toBe(1)
    await admin.close()
  })
})
