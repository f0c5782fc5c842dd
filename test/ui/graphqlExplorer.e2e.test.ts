import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { recordManifest } from "../../src/application/cache/cacheEvents.js"
import { EXPLORER_CSP } from "../../src/adapters/ui/routes/graphqlExplorerRoutes.js"
import { artifactPath, launchChromium, newContext } from "../support/ui/chromium.js"
import { PASSWORD, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

const EXPLORER = "/-/graphql-explorer"
const RESULT = ".graphiql-response"

/** Runs GraphiQL's query editor's text through its own run button, as a person would. */
const runQuery = async (page: Page, query: string | null) => {
  if (query !== null) {
    // CodeMirror's own API: typing would have the editor close brackets on its own.
    await page.evaluate(`document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.setValue(${JSON.stringify(query)})`)
  }
  await page.getByRole("button", { name: /^Execute query/ }).click()
}

/** GraphiQL, served from this service's node_modules, signed in by the UI's session cookie. */
describe("the GraphQL explorer", () => {
  let world: UiWorld
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const problems: Array<string> = []
  const elsewhere: Array<string> = []

  beforeAll(async () => {
    world = await startUiWorld()
    const olivia = await world.user("olivia")
    const acme = await world.group("acme", olivia)
    await world.proxy.run(recordManifest({ groupId: acme, image: "alpine", tag: "3.19", digest: `sha256:${"a".repeat(64)}`, mediaType: "application/json", size: 1234 }))
    browser = await launchChromium()
    context = await newContext(browser, world.baseUrl)
    page = await context.newPage()
    // CSP violations and script errors show in the console; every request must stay on this service.
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text())
    })
    page.on("pageerror", (error) => problems.push(error.message))
    page.on("response", (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`)
    })
    page.on("request", (request) => {
      if (!request.url().startsWith(world.baseUrl) && !request.url().startsWith("data:")) elsewhere.push(request.url())
    })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("sends a signed-out visitor to sign in first, and back afterwards", async () => {
    await page.goto(EXPLORER)
    expect(new URL(page.url()).pathname).toBe("/users/sign_in")
    await page.getByLabel("Username", { exact: true }).fill("olivia")
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD)
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.waitForURL((url) => url.pathname === EXPLORER)
    // What the sign-in page logged (the browser's own /favicon.ico, which the UI does not serve) is not the explorer's.
    problems.length = 0
  })

  it("is served with a Content-Security-Policy that allows only this service", async () => {
    const response = await page.goto(EXPLORER)
    expect(response?.headers()["content-security-policy"]).toBe(EXPLORER_CSP)
    expect(EXPLORER_CSP).not.toMatch(/unsafe|https?:|\*/)
  })

  it("runs its starting query as the signed-in user and shows the answer", async () => {
    await page.goto(EXPLORER)
    // GraphiQL keeps the editor's text in localStorage and shows it instead of the starting query: a page the
    // earlier tests left while GraphiQL was still starting (a loaded machine) can have kept an empty one.
    await page.evaluate("localStorage.clear()")
    await page.reload()
    await page.locator(".graphiql-query-editor .CodeMirror").waitFor()
    // The editor appears before GraphiQL fills in its starting query; a person sees the text before pressing run.
    await expect
      .poll(() => page.evaluate(`document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.getValue()`), { timeout: 30_000 })
      .toContain("currentUser")
    await runQuery(page, null)
    await expect.poll(() => page.locator(RESULT).innerText(), { timeout: 30_000 }).toContain(`"username": "olivia"`)
  })

  it("runs a typed query with pagination against the group's cache", async () => {
    await runQuery(page, `{ group(fullPath: "acme") { dependencyProxyTotalSize dependencyProxyManifests(first: 1) { count nodes { imageName status } pageInfo { hasNextPage } } } }`)
    await expect.poll(() => page.locator(RESULT).innerText(), { timeout: 30_000 }).toContain(`"imageName": "alpine:3.19"`)
    const result = await page.locator(RESULT).innerText()
    expect(result).toContain(`"dependencyProxyTotalSize": "1.21 KB"`)
    expect(result).toContain(`"count": 1`)
    await page.screenshot({ path: await artifactPath("graphql-explorer.png"), fullPage: true })
  })

  it("loaded nothing from elsewhere and broke no rule of its policy", () => {
    expect(elsewhere).toEqual([])
    expect(problems).toEqual([])
  })

  it("lets the session sign in a POST only with its CSRF token, so another site cannot post as the user", async () => {
    const token = await page.locator('meta[name="csrf-token"]').getAttribute("content")
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ")
    const post = async (headers: Readonly<Record<string, string>>) => {
      const response = await fetch(`${world.baseUrl}/api/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie, ...headers },
        body: JSON.stringify({ query: "{ currentUser { username } }" })
      })
      return response.json()
    }
    const asked = { withToken: await post({ "x-csrf-token": token ?? "" }), without: await post({}), forged: await post({ "x-csrf-token": "forged" }) }
    expect(asked).toEqual({
      withToken: { data: { currentUser: { username: "olivia" } } },
      without: { data: { currentUser: null } },
      forged: { data: { currentUser: null } }
    })
  })
})
