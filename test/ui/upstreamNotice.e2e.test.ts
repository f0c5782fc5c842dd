import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MANIFEST_MEDIA_TYPES } from "../../src/application/ports/UpstreamRegistry.js"
import { DEFAULT_RESILIENCE, basic, scopeFor } from "../support/registryApp.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { launchChromium, newContext } from "../support/ui/chromium.js"
import { signIn, startUiWorld, type UiWorld, PASSWORD } from "../support/worlds/uiWorld.js"

const PAGE = "/groups/acme/-/dependency_proxy"
/** The UI world's upstream: nothing listens there, so every pull of an uncached image fails. */
const UPSTREAM_HOST = "127.0.0.1:9"

/** A pull of a manifest nobody cached: one failed upstream attempt (the harness makes no retries). */
const pullUncached = async (world: UiWorld, tag: string): Promise<number> => {
  const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor("acme", "alpine") })
  const auth = await fetch(`${world.baseUrl}/jwt/auth?${query}`, { headers: { authorization: basic("gus", PASSWORD) } })
  const { token } = (await auth.json()) as { token: string }
  const response = await fetch(`${world.baseUrl}/v2/acme/dependency_proxy/containers/alpine/manifests/${tag}`, {
    headers: { authorization: `Bearer ${token}`, accept: MANIFEST_MEDIA_TYPES.join(", ") }
  })
  await response.arrayBuffer()
  return response.status
}

/** ADR 0012: while the upstream's breaker is open, every member's group page says so. */
describe("the group page while the upstream is not answering", () => {
  let world: UiWorld
  let browser: Browser

  beforeAll(async () => {
    world = await startUiWorld()
    const olivia = await world.user("olivia")
    const acme = await world.group("acme", olivia)
    await world.addMember(acme, await world.user("gus"))
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })

  it("shows no notice while the upstream has not failed, then, once its breaker is open, a notice a Guest can read", async () => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await signIn(page, "gus")
    await page.goto(PAGE)
    expect(await page.locator("#upstream-notice").count()).toBe(0)

    for (let i = 0; i < DEFAULT_RESILIENCE.breakerFailures; i++) expect(await pullUncached(world, `v${i}`)).toBe(503)
    await page.goto(PAGE)
    const notice = page.getByRole("status").filter({ hasText: "not answering" })
    expect(await notice.count()).toBe(1)
    const text = await notice.innerText()
    expect(text).toContain(`The upstream registry ${UPSTREAM_HOST} is not answering`)
    expect(text).toMatch(/it is checked again in \d+ s/)
    expect(text).toContain("Images already cached are served from the cache")
    // The failure itself is for operators: nothing of the connection error reaches the page.
    expect(text).not.toContain("ECONNREFUSED")
    await context.close()
  })

  it("the page with the notice has no serious or critical axe violations", async () => {
    const audit = await newContext(browser, world.baseUrl, { forAxe: true })
    const page = await audit.newPage()
    await signIn(page, "gus")
    await page.goto(PAGE)
    expect(await page.locator("#upstream-notice").count()).toBe(1)
    expect(seriousOrCritical(await axeViolations(page))).toEqual([])
    await audit.close()
  })
})
