import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { changeUser } from "../../src/application/useCases/users.js"
import { createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { AccessLevels } from "../../src/domain/AccessLevel.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium, newContext } from "../support/ui/chromium.js"
import { PASSWORD, signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

describe("signing in and out", () => {
  let world: UiWorld
  let browser: Browser
  let twoFactorUser: number
  let blockable: number

  beforeAll(async () => {
    world = await startUiWorld()
    browser = await launchChromium()
    const olivia = await world.user("olivia")
    const acme = await world.group("acme", olivia)
    twoFactorUser = await world.user("tess")
    await world.addMember(acme, twoFactorUser, AccessLevels.developer)
    await world.proxy.run(changeUser(twoFactorUser, { _tag: "SetTwoFactor", enabled: true }))
    blockable = await world.user("bob")
    await world.addMember(acme, blockable)
    // Only the throttle test signs in as tom, so no other test's failures or successes touch his counter.
    await world.user("tom")
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("the sign-in page is one labelled form under one h1, with no serious or critical axe violations", async () => {
    const context = await newContext(browser, world.baseUrl, { forAxe: true })
    const page = await context.newPage()
    const response = await page.goto("/users/sign_in")
    expect(response?.status()).toBe(200)
    expect(await page.locator("html").getAttribute("lang")).toBe("en")
    expect(await page.locator("h1").allTextContents()).toEqual(["Sign in"])
    await expect.poll(() => page.getByLabel("Username", { exact: true }).count()).toBe(1)
    expect(await page.getByLabel("Password", { exact: true }).getAttribute("type")).toBe("password")
    await page.screenshot({ path: await artifactPath("sign-in.png"), fullPage: true })
    expect(seriousOrCritical(await axeViolations(page))).toEqual([])
    await context.close()
  })

  it("a wrong password gives one message for every cause, which also tells two-factor users what to do", async () => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await page.goto("/users/sign_in")
    await page.getByLabel("Username", { exact: true }).fill("olivia")
    await page.getByLabel("Password", { exact: true }).fill("not-the-password")
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Sign in" }).click()])
    expect(response.status()).toBe(401)
    const alert = page.getByRole("alert")
    await expect.poll(() => alert.textContent()).toContain("Invalid username or password")
    expect(await alert.textContent()).toContain("personal access token")
    // The typed username is kept, the password never comes back.
    expect(await page.getByLabel("Username", { exact: true }).inputValue()).toBe("olivia")
    expect(await page.getByLabel("Password", { exact: true }).inputValue()).toBe("")
    await context.close()
  })

  it("signing in sets an HttpOnly, SameSite=Lax session cookie for 8 hours; signing out ends it", async () => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await signIn(page, "olivia")
    expect(new URL(page.url()).pathname).toBe("/groups")
    const [session] = (await context.cookies()).filter((c) => c.name === "_dependency_proxy_session")
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false })
    const hours = ((session?.expires ?? 0) * 1000 - Date.now()) / 3_600_000
    expect(hours).toBeGreaterThan(7.9)
    expect(hours).toBeLessThanOrEqual(8)
    await page.getByRole("button", { name: "Sign out" }).click()
    await page.waitForURL((url) => url.pathname === "/users/sign_in")
    expect((await context.cookies()).filter((c) => c.name === "_dependency_proxy_session")).toEqual([])
    await page.goto("/groups")
    expect(new URL(page.url()).pathname).toBe("/users/sign_in")
    await context.close()
  })

  it("signing out ends the session on the server: a copy of its cookie, in another browser, is sent to sign in; the user's other sessions go on", async () => {
    const own = await newContext(browser, world.baseUrl)
    const page = await own.newPage()
    await signIn(page, "olivia")
    const other = await newContext(browser, world.baseUrl)
    const otherPage = await other.newPage()
    await signIn(otherPage, "olivia")
    const [session] = (await own.cookies()).filter((c) => c.name === "_dependency_proxy_session")
    if (session === undefined) throw new Error("no session cookie after signing in")
    // Someone else holding a copy of the cookie (a shared machine, a leaked HAR file).
    const copy = await newContext(browser, world.baseUrl)
    await copy.addCookies([session])
    const copyPage = await copy.newPage()
    await copyPage.goto("/groups")
    expect(new URL(copyPage.url()).pathname).toBe("/groups")
    const graphql = async () => {
      const answered = await copy.request.get(`${world.baseUrl}/api/graphql?query=${encodeURIComponent("{ currentUser { username } }")}`)
      expect(answered.status()).toBe(200)
      const body: unknown = await answered.json()
      return body
    }
    expect(await graphql()).toEqual({ data: { currentUser: { username: "olivia" } } })

    await page.getByRole("button", { name: "Sign out" }).click()
    await page.waitForURL((url) => url.pathname === "/users/sign_in")
    await copyPage.goto("/groups")
    expect(new URL(copyPage.url()).pathname).toBe("/users/sign_in")
    expect(await graphql()).toEqual({ data: { currentUser: null } })
    await otherPage.goto("/groups")
    expect(new URL(otherPage.url()).pathname).toBe("/groups")
    await Promise.all([own.close(), other.close(), copy.close()])
  })

  it("a page asked for while signed out is shown after signing in; an outside redirect target is ignored", async () => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await page.goto("/groups/acme/-/dependency_proxy")
    expect(new URL(page.url()).searchParams.get("redirect_to")).toBe("/groups/acme/-/dependency_proxy")
    await page.getByLabel("Username", { exact: true }).fill("olivia")
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD)
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.waitForURL((url) => url.pathname === "/groups/acme/-/dependency_proxy")
    await page.getByRole("button", { name: "Sign out" }).click()
    await page.waitForURL((url) => url.pathname === "/users/sign_in")
    await page.goto("/users/sign_in?redirect_to=//evil.example/steal")
    await page.getByLabel("Username", { exact: true }).fill("olivia")
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD)
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.waitForURL((url) => url.pathname === "/groups")
    expect(new URL(page.url()).host).toBe(new URL(world.baseUrl).host)
    await context.close()
  })

  it("a two-factor user cannot sign in with the password, but can with an api-scoped personal access token", async () => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await page.goto("/users/sign_in")
    await page.getByLabel("Username", { exact: true }).fill("tess")
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD)
    await page.getByRole("button", { name: "Sign in" }).click()
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("personal access token")
    const readOnly = await world.proxy.run(createPersonalAccessToken({ userId: twoFactorUser, name: "ro", scopes: ["read_registry"], expiresAt: null }))
    await page.getByLabel("Password", { exact: true }).fill(readOnly.token)
    await page.getByRole("button", { name: "Sign in" }).click()
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Invalid username or password")
    const api = await world.proxy.run(createPersonalAccessToken({ userId: twoFactorUser, name: "ui", scopes: ["api"], expiresAt: null }))
    await page.getByLabel("Password", { exact: true }).fill(api.token)
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.waitForURL((url) => url.pathname === "/groups")
    expect(await page.getByText("Signed in as").textContent()).toContain("tess")
    await context.close()
  })

  it("a user blocked while signed in is signed out on the next page", async () => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await signIn(page, "bob")
    expect(await page.getByRole("link", { name: "ACME" }).count()).toBe(1)
    await world.proxy.run(changeUser(blockable, { _tag: "BlockUser" }))
    await page.reload()
    expect(new URL(page.url()).pathname).toBe("/users/sign_in")
    await context.close()
  })

  it("repeated failed sign-ins for one username are throttled (429 with Retry-After), even with the right password", async () => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await page.goto("/users/sign_in")
    const token = await page.locator("input[name='authenticity_token']").getAttribute("value")
    if (token === null) throw new Error("the sign-in form has no token")
    const attempt = (password: string) =>
      context.request.post("/users/sign_in", { form: { authenticity_token: token, username: "tom", password }, maxRedirects: 0 })
    // The default policy allows 10 failures a minute per client address and username.
    for (let i = 0; i < 10; i++) expect((await attempt(`wrong-${i}`)).status()).toBe(401)
    const throttled = await attempt(PASSWORD)
    expect(throttled.status()).toBe(429)
    expect(Number(throttled.headers()["retry-after"])).toBeGreaterThan(0)
    expect(await throttled.text()).toContain("Too many failed sign-ins.")
    await context.close()
  })

  it("a sign-in post without the form's token is refused with 403, and signs nobody in", async () => {
    const context = await newContext(browser, world.baseUrl)
    const response = await context.request.post("/users/sign_in", { form: { username: "olivia", password: PASSWORD }, maxRedirects: 0 })
    expect(response.status()).toBe(403)
    expect(await response.text()).toContain("Request refused")
    expect((await context.cookies()).filter((c) => c.name === "_dependency_proxy_session")).toEqual([])
    await context.close()
  })
})
