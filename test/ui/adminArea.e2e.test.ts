import { Option } from "effect"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { userByUsername } from "../../src/application/queries.js"
import { basic, scopeFor } from "../support/registryApp.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium, newContext } from "../support/ui/chromium.js"
import { csrfTokenOn, PASSWORD, signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

/** Issue 15: the admin area (users, instance settings, cache totals) and changing one's password, in Chromium. */
describe("the admin area and the password page", () => {
  let world: UiWorld
  let browser: Browser
  let rootId: number

  /** `docker login`'s first step: the registry token endpoint's status for these credentials. */
  const loginStatus = async (username: string, secret: string) => {
    const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor("acme", "alpine") })
    return (await fetch(`${world.baseUrl}/jwt/auth?${query}`, { headers: { authorization: basic(username, secret) } })).status
  }
  const rowOf = (page: Page, username: string) => page.locator("#users tbody tr").filter({ has: page.getByRole("rowheader", { name: new RegExp(`^${username}\\b`) }) })
  const signedInPage = async (username: string, options: { readonly forAxe?: boolean } = {}) => {
    const context = await newContext(browser, world.baseUrl, options)
    const page = await context.newPage()
    await signIn(page, username)
    return page
  }

  beforeAll(async () => {
    world = await startUiWorld()
    rootId = await world.user("root", { admin: true })
    const olivia = await world.user("olivia")
    await world.group("acme", olivia)
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("is not found for a user who is not an administrator, and has no link for them", async () => {
    const page = await signedInPage("olivia")
    expect(await page.getByRole("link", { name: "Admin area" }).count()).toBe(0)
    for (const path of ["/admin", "/admin/users", "/admin/users/new", "/admin/application_settings"]) {
      expect((await page.goto(path))?.status(), path).toBe(404)
    }
    await page.goto("/groups")
    const csrf = await csrfTokenOn(page)
    expect((await page.request.post(`/admin/users/${rootId}/block`, { form: { authenticity_token: csrf } })).status()).toBe(404)
    expect((await page.request.post("/admin/application_settings", { form: { authenticity_token: csrf, max_personal_access_token_lifetime: "1" } })).status()).toBe(404)
    // Without the CSRF token, nothing is looked at: 403 before the admin check.
    expect((await page.request.post(`/admin/users/${rootId}/block`, { form: {} })).status()).toBe(403)
    await page.context().close()
  })

  it("creates a user (a refused username shown on its field), who can then sign in", async () => {
    const page = await signedInPage("root")
    await page.getByRole("link", { name: "Admin area" }).click()
    await page.getByRole("link", { name: "Users", exact: true }).click()
    await page.getByRole("link", { name: "New user" }).click()
    await page.getByLabel("Name", { exact: true }).fill("Dana Developer")
    await page.getByLabel("Username").fill("-dana")
    await page.getByLabel("Email").fill("dana@example.test")
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD)
    await page.getByRole("button", { name: "Create user" }).click()
    expect(await page.locator("#user-username-error").innerText()).toContain("Username can contain only")
    expect(await page.getByLabel("Username").getAttribute("aria-invalid")).toBe("true")
    expect(await page.getByLabel("Email").inputValue()).toBe("dana@example.test")
    await page.screenshot({ path: await artifactPath("admin-new-user.png"), fullPage: true })
    await page.getByLabel("Username").fill("dana")
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD)
    await page.getByRole("button", { name: "Create user" }).click()
    await page.waitForURL("**/admin/users?notice=created")
    expect(await page.getByRole("status").innerText()).toBe("The user was created.")
    const cells = (await rowOf(page, "dana").innerText()).split("\t").map((c) => c.trim())
    expect(cells.slice(0, 4)).toEqual(["dana\nDana Developer · dana@example.test", "Active", "Regular", "Disabled"])
    expect(await loginStatus("dana", PASSWORD)).toBe(200)
    await page.context().close()
  })

  it("blocks and unblocks a user, grants and removes the admin flag; never blocks or demotes oneself", async () => {
    await world.user("bert")
    const page = await signedInPage("root")
    await page.goto("/admin/users")
    await rowOf(page, "bert").getByRole("button", { name: "Block bert" }).click()
    await page.waitForURL("**/admin/users?notice=block")
    expect(await rowOf(page, "bert").innerText()).toContain("Blocked")
    expect(await loginStatus("bert", PASSWORD)).toBe(403)
    await page.screenshot({ path: await artifactPath("admin-users.png"), fullPage: true })
    await rowOf(page, "bert").getByRole("button", { name: "Unblock bert" }).click()
    await page.waitForURL("**/admin/users?notice=unblock")
    expect(await rowOf(page, "bert").innerText()).toContain("Active")
    expect(await loginStatus("bert", PASSWORD)).toBe(200)

    await rowOf(page, "bert").getByRole("button", { name: "Make admin bert" }).click()
    await page.waitForURL("**/admin/users?notice=grant_admin")
    expect(await rowOf(page, "bert").innerText()).toContain("Administrator")
    const bert = await signedInPage("bert")
    expect((await bert.goto("/admin/users"))?.status()).toBe(200)
    await rowOf(page, "bert").getByRole("button", { name: "Remove admin bert" }).click()
    await page.waitForURL("**/admin/users?notice=revoke_admin")
    expect(await rowOf(page, "bert").innerText()).toContain("Regular")
    // Demoted: the next page is the admin area's 404.
    expect((await bert.goto("/admin/users"))?.status()).toBe(404)
    await bert.context().close()

    // Root's own row offers neither; a hand-made post is refused by the use case.
    expect(await rowOf(page, "root").getByRole("button").count()).toBe(0)
    const csrf = await csrfTokenOn(page)
    const refused = await page.request.post(`/admin/users/${rootId}/block`, { form: { authenticity_token: csrf } })
    expect(refused.status()).toBe(403)
    expect(await refused.text()).toContain("an administrator cannot block themselves")
    expect((await page.request.post(`/admin/users/${rootId}/revoke_admin`, { form: { authenticity_token: csrf } })).status()).toBe(403)
    expect((await page.request.post("/admin/users/99999/block", { form: { authenticity_token: csrf } })).status()).toBe(404)
    expect(await loginStatus("root", PASSWORD)).toBe(200)
    await page.context().close()
  })

  it("changes the instance settings: the proxy switch, who creates groups, the token lifetime (bad values on the field)", async () => {
    const page = await signedInPage("root")
    await page.goto("/admin/application_settings")
    expect(await page.getByLabel("Enable the Dependency Proxy for this instance").isChecked()).toBe(true)
    expect(await page.getByLabel("Longest token lifetime (days)").inputValue()).toBe("365")
    await page.getByLabel("Longest token lifetime (days)").fill("400")
    // The browser's own range check would stop the post before the server sees it: the server's is tested here.
    await page.locator("#setting-token-lifetime").evaluate((input: { removeAttribute: (name: string) => void }) => input.removeAttribute("max"))
    await page.getByRole("button", { name: "Save changes" }).click()
    expect(await page.locator("#setting-token-lifetime-error").innerText()).toContain("between 1 and 365 days")

    await page.getByLabel("Enable the Dependency Proxy for this instance").uncheck()
    await page.getByLabel("Users who are not administrators may create top-level groups").uncheck()
    await page.getByLabel("Longest token lifetime (days)").fill("30")
    await page.getByRole("button", { name: "Save changes" }).click()
    await page.waitForURL("**/admin/application_settings?notice=saved")
    expect(await page.getByLabel("Enable the Dependency Proxy for this instance").isChecked()).toBe(false)
    expect(await page.getByLabel("Longest token lifetime (days)").inputValue()).toBe("30")
    await page.screenshot({ path: await artifactPath("admin-settings.png"), fullPage: true })
    await page.goto("/admin")
    expect(await page.getByText("The Dependency Proxy is disabled for this instance").count()).toBe(1)

    const olivia = await signedInPage("olivia")
    await olivia.goto("/groups/acme/-/dependency_proxy")
    expect(await olivia.getByText("Disabled for this instance").count()).toBeGreaterThan(0)
    await olivia.goto("/groups/new")
    await olivia.getByLabel("Group name").fill("Mine")
    await olivia.getByLabel("Group URL path").fill("mine")
    await olivia.getByRole("button", { name: /Create group/ }).click()
    expect(await olivia.locator("h1").innerText()).toBe("Access denied")
    await olivia.goto("/-/user_settings/personal_access_tokens")
    await olivia.getByLabel("Token name").fill("too-long")
    await olivia.getByLabel("Expiration date").fill("2099-01-01")
    await olivia.getByRole("button", { name: "Create personal access token" }).click()
    // Beyond the new 30-day limit: refused, no token shown.
    expect(await olivia.locator("#new-token").count()).toBe(0)
    expect(await olivia.locator(".field-error, .notice.error").count()).toBeGreaterThan(0)
    await olivia.context().close()

    await page.goto("/admin/application_settings")
    await page.getByLabel("Enable the Dependency Proxy for this instance").check()
    await page.getByLabel("Users who are not administrators may create top-level groups").check()
    await page.getByLabel("Longest token lifetime (days)").fill("365")
    await page.getByRole("button", { name: "Save changes" }).click()
    await page.waitForURL("**/admin/application_settings?notice=saved")
    await page.context().close()
  })

  it("changes the password only with the current one; the old password then stops working", async () => {
    await world.user("petra")
    const page = await signedInPage("petra")
    await page.getByRole("link", { name: "Password" }).click()
    await page.getByLabel("Current password").fill("not-my-password")
    await page.getByLabel("New password", { exact: true }).fill("petra-new-password")
    await page.getByLabel("Confirm new password").fill("petra-new-password")
    await page.getByRole("button", { name: "Save password" }).click()
    expect(await page.locator("#current-password-error").innerText()).toBe("Current password is incorrect.")
    expect(await page.getByLabel("Current password").inputValue()).toBe("")
    await page.screenshot({ path: await artifactPath("password.png"), fullPage: true })
    expect(await loginStatus("petra", PASSWORD)).toBe(200)

    await page.getByLabel("Current password").fill(PASSWORD)
    await page.getByLabel("New password", { exact: true }).fill("petra-new-password")
    await page.getByLabel("Confirm new password").fill("something else")
    await page.getByRole("button", { name: "Save password" }).click()
    expect(await page.locator("#confirm-password-error").innerText()).toContain("doesn't match")

    await page.getByLabel("Current password").fill(PASSWORD)
    await page.getByLabel("New password", { exact: true }).fill("petra-new-password")
    await page.getByLabel("Confirm new password").fill("petra-new-password")
    await page.getByRole("button", { name: "Save password" }).click()
    // The session was opened with the old password: it ended, and sign-in comes back to the notice.
    await page.waitForURL((url) => url.pathname === "/users/sign_in")
    expect(await loginStatus("petra", PASSWORD)).toBe(401)
    expect(await loginStatus("petra", "petra-new-password")).toBe(200)
    await page.getByLabel("Username", { exact: true }).fill("petra")
    await page.getByLabel("Password", { exact: true }).fill("petra-new-password")
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.waitForURL("**/password/edit?notice=changed")
    expect(await page.getByRole("status").innerText()).toBe("Your password was changed.")
    await page.context().close()
  })

  it("counts wrong current passwords as failed sign-ins: past the allowance even the right one waits", async () => {
    await world.user("tess")
    const page = await signedInPage("tess")
    await page.goto("/-/user_settings/password/edit")
    const csrf = await csrfTokenOn(page)
    const attempt = (current: string) =>
      page.request.post("/-/user_settings/password", {
        form: { authenticity_token: csrf, current_password: current, password: "tess-new-password", password_confirmation: "tess-new-password" }
      })
    const statuses: Array<number> = []
    for (let i = 0; i < 10; i++) statuses.push((await attempt(`wrong-${i}`)).status())
    expect(statuses).toEqual(Array(10).fill(422))
    const throttled = await attempt(PASSWORD)
    expect(throttled.status()).toBe(429)
    expect(Number(throttled.headers()["retry-after"])).toBeGreaterThan(0)
    expect(await throttled.text()).toContain("Too many wrong passwords")
    // The same allowance holds for docker login from this address; and the password did not change.
    expect(await loginStatus("tess", PASSWORD)).toBe(429)
    const tess = await world.proxy.run(userByUsername("tess"))
    expect(Option.map(tess, (u) => u.passwordVersion)).toEqual(Option.some(0))
    await page.context().close()
  })

  it("has no serious or critical axe violations on any admin page or the password page", async () => {
    const page = await signedInPage("root", { forAxe: true })
    for (const path of ["/admin", "/admin/users", "/admin/users/new", "/admin/application_settings", "/-/user_settings/password/edit"]) {
      await page.goto(path)
      expect(seriousOrCritical(await axeViolations(page)), path).toEqual([])
    }
    // A refused form too: errors tied to their fields.
    await page.goto("/-/user_settings/password/edit")
    await page.getByLabel("Current password").fill("wrong-password")
    await page.getByLabel("New password", { exact: true }).fill("x")
    await page.getByLabel("Confirm new password").fill("x")
    await page.getByRole("button", { name: "Save password" }).click()
    expect(seriousOrCritical(await axeViolations(page))).toEqual([])
    await page.context().close()
  })
})
