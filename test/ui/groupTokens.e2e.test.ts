import { Option } from "effect"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import { isolatedSkopeo, type Skopeo } from "../support/upstream/skopeo.js"
import { tempDir } from "../support/upstream/tools.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium, newContext } from "../support/ui/chromium.js"
import { signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"
import { AccessLevels } from "../../src/domain/AccessLevel.js"

const SETTINGS = "/groups/acme/-/settings"

/**
 * Issue 15: an Owner makes a deploy token and a group access token in the browser, each shown once, pulls with it
 * through the proxy with skopeo (`login`, then `copy` from a real distribution upstream), revokes it in the UI after
 * confirming, and the next pull is refused.
 */
describe("group deploy tokens and group access tokens in the UI", () => {
  let upstream: Upstream
  let world: UiWorld
  let browser: Browser
  let skopeo: Skopeo

  /** `skopeo login` with the credentials, then a pull of alpine through acme's proxy using the stored login. */
  const loginAndPull = async (username: string, password: string) => {
    const login = await skopeo.run(["login", "--tls-verify=false", "--username", username, "--password", password, world.proxy.host])
    if (login.code !== 0) return { ok: false, output: login.stderr }
    const dir = await tempDir("dp-group-token-pull-")
    const copy = await skopeo.run(["copy", "--src-tls-verify=false", `docker://${world.proxy.host}/acme/dependency_proxy/containers/alpine:3.19`, `dir:${dir}`])
    return { ok: copy.code === 0, output: copy.stderr }
  }

  /** A pull with the credentials given directly (no stored login), as after a revocation. */
  const pullWithCreds = (username: string, password: string) =>
    tempDir("dp-group-token-refused-").then((dir) => skopeo.run([
      "copy", "--src-tls-verify=false", "--src-creds", `${username}:${password}`,
      `docker://${world.proxy.host}/acme/dependency_proxy/containers/alpine:3.19`, `dir:${dir}`
    ]))

  const ssoEnforcedOnAcme = async () => Option.exists(await world.groupState("acme"), (g) => g.settings.ssoEnforced)

  const ownerPage = async (): Promise<Page> => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await signIn(page, "olivia")
    return page
  }

  beforeAll(async () => {
    upstream = await startUpstream()
    await upstream.images.singleArch("library/alpine", "3.19")
    world = await startUiWorld(upstream.url)
    const olivia = await world.user("olivia")
    const acme = await world.group("acme", olivia)
    await world.group("team", olivia, acme)
    await world.addMember(acme, await world.user("dev"), AccessLevels.developer)
    await world.user("eve")
    skopeo = await isolatedSkopeo(await tempDir("dp-group-token-skopeo-"))
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await world?.close()
    await upstream?.stopAll()
  })

  it("a deploy token is shown once, pulls with skopeo login, and is refused once revoked in the UI", async () => {
    const page = await ownerPage()
    await page.goto("/groups/acme/-/dependency_proxy")
    await page.getByRole("link", { name: "Settings", exact: true }).click()
    await page.getByRole("link", { name: "Deploy tokens" }).click()
    await page.getByLabel("Token name").fill("ci pulls")
    await page.getByLabel("Expiration date").fill("2099-12-31")
    await page.getByRole("button", { name: "Create deploy token" }).click()
    const token = (await page.locator("#new-token").textContent()) ?? ""
    const username = (await page.locator("#new-token-username").textContent()) ?? ""
    expect(token).toMatch(/^gldt-/)
    expect(username).toMatch(/^gitlab\+deploy-token-\d+$/)
    expect(await page.getByRole("button", { name: "Copy token" }).isVisible()).toBe(true)
    const active = await page.getByRole("region", { name: /Active deploy tokens \(1\)/ }).innerText()
    expect(active).toContain("ci pulls")
    expect(active).toContain("2099-12-31")
    await page.screenshot({ path: await artifactPath("deploy-tokens.png"), fullPage: true })

    const pulled = await loginAndPull(username, token)
    expect(pulled.ok, pulled.output).toBe(true)

    await page.goto(`${SETTINGS}/deploy_tokens`)
    expect(await page.content()).not.toContain(token)
    await page.getByRole("button", { name: "Revoke ci pulls" }).click()
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Revoke ci pulls?")
    await page.getByRole("button", { name: "Revoke deploy token" }).click()
    await page.waitForURL("**/deploy_tokens?notice=revoked")
    expect(await page.getByRole("region", { name: /Revoked or expired deploy tokens \(1\)/ }).innerText()).toContain("Revoked")

    const refused = await pullWithCreds(username, token)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/denied|unauthorized|403/i)
    expect((await loginAndPull(username, token)).ok).toBe(false)
    await page.context().close()
  })

  it("a group access token gets a role, its expiry is capped, it pulls with any username and is refused once revoked", async () => {
    const page = await ownerPage()
    await page.goto(`${SETTINGS}/access_tokens`)
    await page.getByLabel("Token name").fill("renovate")
    await page.getByLabel("Expiration date").fill("2999-01-01")
    await page.getByRole("button", { name: "Create group access token" }).click()
    expect(await page.locator("#token-expires-error").innerText()).toMatch(/Expiration date must be at most/)
    expect(await page.getByLabel("Token name").inputValue()).toBe("renovate")

    await page.getByLabel("Expiration date").fill("")
    await page.getByLabel("Role").selectOption({ label: "Reporter" })
    await page.getByRole("button", { name: "Create group access token" }).click()
    const token = (await page.locator("#new-token").textContent()) ?? ""
    expect(token).toMatch(/^glgat-/)
    const active = await page.getByRole("region", { name: /Active group access tokens \(1\)/ }).innerText()
    expect(active).toContain("renovate")
    expect(active).toContain("Reporter")
    await page.screenshot({ path: await artifactPath("group-access-tokens.png"), fullPage: true })

    const pulled = await loginAndPull("any-name", token)
    expect(pulled.ok, pulled.output).toBe(true)

    // Shown once: opening the page again (a GET; a reload would post the form again) does not have it.
    await page.goto(`${SETTINGS}/access_tokens`)
    expect(await page.content()).not.toContain(token)
    await page.getByRole("button", { name: "Revoke renovate" }).click()
    await page.getByRole("button", { name: "Revoke group access token" }).click()
    await page.waitForURL("**/access_tokens?notice=revoked")
    expect(await page.getByRole("region", { name: /Revoked or expired group access tokens \(1\)/ }).innerText()).toContain("renovate")
    const refused = await pullWithCreds("any-name", token)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/denied|unauthorized|403/i)
    await page.context().close()
  })

  it("an Owner sets SSO enforcement on the top-level group; a subgroup's page points there", async () => {
    const page = await ownerPage()
    await page.goto(SETTINGS)
    expect(await page.locator("#sso-state").innerText()).toBe("not enforced")
    await page.getByLabel("Enforce SSO-only authentication for this group").check()
    await page.getByRole("button", { name: "Save SSO setting" }).click()
    await page.waitForURL("**/settings?notice=sso_saved")
    expect(await page.locator("#sso-state").innerText()).toBe("enforced")
    expect(await ssoEnforcedOnAcme()).toBe(true)
    await page.screenshot({ path: await artifactPath("group-settings.png"), fullPage: true })

    await page.goto("/groups/acme/team/-/settings")
    expect(await page.locator("#sso-inherited").innerText()).toContain("where it is enforced")
    expect(await page.getByLabel("Enforce SSO-only authentication for this group").count()).toBe(0)

    await page.goto(SETTINGS)
    await page.getByLabel("Enforce SSO-only authentication for this group").uncheck()
    await page.getByRole("button", { name: "Save SSO setting" }).click()
    await page.waitForURL("**/settings?notice=sso_saved")
    expect(await ssoEnforcedOnAcme()).toBe(false)
    await page.context().close()
  })

  it("a Developer sees no Settings link and is refused (403) on every settings page and post; an outsider gets 404", async () => {
    const context = await newContext(browser, world.baseUrl)
    const page = await context.newPage()
    await signIn(page, "dev")
    await page.goto("/groups/acme/-/dependency_proxy")
    expect(await page.getByRole("link", { name: "Settings", exact: true }).count()).toBe(0)
    const csrf = await page.locator("form[action='/users/sign_out'] input[name='authenticity_token']").getAttribute("value") ?? ""
    for (const path of [SETTINGS, `${SETTINGS}/deploy_tokens`, `${SETTINGS}/access_tokens`]) {
      expect((await page.goto(path))?.status(), path).toBe(403)
    }
    const posts = [
      [`${SETTINGS}/deploy_tokens`, { name: "sneaky", scope_read_registry: "1" }],
      [`${SETTINGS}/access_tokens`, { name: "sneaky", scope_read_registry: "1", access_level: "50" }],
      [`${SETTINGS}/sso`, { sso_enforced: "1" }]
    ] as const
    for (const [path, form] of posts) {
      expect((await page.request.post(path, { form: { authenticity_token: csrf, ...form } })).status(), path).toBe(403)
    }
    expect(await ssoEnforcedOnAcme()).toBe(false)
    await context.close()

    const outsider = await newContext(browser, world.baseUrl)
    const evePage = await outsider.newPage()
    await signIn(evePage, "eve")
    expect((await evePage.goto(`${SETTINGS}/deploy_tokens`))?.status()).toBe(404)
    await outsider.close()
  })

  it("has no serious or critical axe violations on the settings, deploy token and access token pages", async () => {
    const audit = await newContext(browser, world.baseUrl, { forAxe: true })
    const page = await audit.newPage()
    await signIn(page, "olivia")
    for (const path of [SETTINGS, `${SETTINGS}/deploy_tokens`, `${SETTINGS}/access_tokens`, "/groups/acme/team/-/settings"]) {
      await page.goto(path)
      expect(seriousOrCritical(await axeViolations(page)), path).toEqual([])
    }
    await audit.close()
  })
})
