import { createHash } from "node:crypto"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import type { PushedImage } from "../support/upstream/images.js"
import { waitUntil } from "../support/waitUntil.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium, newContext } from "../support/ui/chromium.js"
import { PASSWORD, signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`

/**
 * Issue 15's "done when": the whole path a new administrator takes, in Chromium, with nothing set up behind
 * the UI's back but root and a real upstream (distribution behind a token server): groups, a user, a
 * membership, the user's token, a real client's pull with it (skopeo), and the pull refused once the token is
 * revoked in the UI.
 */
describe("a new administrator's walkthrough", () => {
  let upstream: Upstream
  let world: UiWorld
  let browser: Browser
  let alpine: PushedImage
  const pulled: Array<string> = []

  /** skopeo copies the image through the proxy with the user's token; the result is returned, not thrown. */
  const skopeoPull = async (username: string, secret: string) => {
    const dir = await mkdtemp(join(tmpdir(), "dp-walkthrough-"))
    pulled.push(dir)
    const result = await upstream.skopeo.run([
      "copy", "--src-tls-verify=false", "--src-creds", `${username}:${secret}`,
      `docker://${world.proxy.host}/platform/dependency_proxy/containers/alpine:3.19`, `dir:${dir}`
    ])
    return { ...result, dir }
  }

  /** Every page the walkthrough passes is checked by axe in a second, CSP-bypassing context of the same user. */
  const audited = new Set<string>()
  const audit = async (page: Page) => {
    const path = new URL(page.url()).pathname
    if (audited.has(path)) return
    audited.add(path)
    const context = await newContext(browser, world.baseUrl, { forAxe: true })
    await context.addCookies(await page.context().cookies())
    const copy = await context.newPage()
    await copy.goto(page.url())
    expect(seriousOrCritical(await axeViolations(copy)), path).toEqual([])
    await context.close()
  }

  beforeAll(async () => {
    upstream = await startUpstream()
    alpine = await upstream.images.singleArch("library/alpine", "3.19", { files: { "etc/motd": "walkthrough\n".repeat(100) } })
    world = await startUiWorld(upstream.url)
    await world.user("root", { admin: true })
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await world?.close()
    await upstream?.stopAll()
    await Promise.all(pulled.map((dir) => rm(dir, { recursive: true, force: true })))
  })

  it("root creates a group, a subgroup and a user, adds them as Developer; their token pulls with skopeo until revoked", async () => {
    const rootContext = await newContext(browser, world.baseUrl)
    const root = await rootContext.newPage()
    await signIn(root, "root")

    // A group and a subgroup.
    await root.goto("/groups")
    await audit(root)
    /** Fills the form the link leads to; the new group's page follows. */
    const newGroup = async (link: string, name: string, fullPath: string) => {
      await root.getByRole("link", { name: link }).click()
      await root.getByLabel("Group name").fill(name)
      await root.getByLabel("Group URL path").fill(fullPath.split("/").at(-1) ?? "")
      await root.getByRole("button", { name: "Create group" }).click()
      await root.waitForURL(`**/groups/${fullPath}/-/dependency_proxy?notice=group_created`)
    }
    await newGroup("New group", "Platform", "platform")
    await audit(root)
    await newGroup("New subgroup", "CI", "platform/ci")

    // A user, in the admin area.
    await root.getByRole("link", { name: "Admin area" }).click()
    await audit(root)
    await root.getByRole("link", { name: "Users", exact: true }).click()
    await root.getByRole("link", { name: "New user" }).click()
    await audit(root)
    await root.getByLabel("Name", { exact: true }).fill("Dana Developer")
    await root.getByLabel("Username").fill("dana")
    await root.getByLabel("Email").fill("dana@example.test")
    await root.getByLabel("Password", { exact: true }).fill(PASSWORD)
    await root.getByRole("button", { name: "Create user" }).click()
    await root.waitForURL("**/admin/users?notice=created")
    await audit(root)

    // Dana becomes a Developer of the group.
    await root.goto("/groups/platform/-/group_members")
    await audit(root)
    await root.getByLabel("Username").fill("dana")
    await root.getByLabel("Role", { exact: true }).selectOption({ label: "Developer" })
    await root.getByRole("button", { name: "Add member" }).click()
    await root.waitForURL("**/group_members?notice=added")

    // Dana signs in and makes a token for docker login.
    const danaContext = await newContext(browser, world.baseUrl)
    const dana = await danaContext.newPage()
    await signIn(dana, "dana")
    expect(await dana.getByRole("link", { name: "Admin area" }).count()).toBe(0)
    await dana.getByRole("link", { name: "Access tokens" }).click()
    await audit(dana)
    await dana.getByLabel("Token name").fill("laptop")
    await dana.getByLabel(/^read_registry/).check()
    await dana.getByRole("button", { name: "Create personal access token" }).click()
    const token = (await dana.locator("#new-token").textContent()) ?? ""
    expect(token).toMatch(/^glpat-/)

    // skopeo pulls through the proxy with it: the upstream's own image, digest for digest.
    const first = await skopeoPull("dana", token)
    expect(first.stderr).toBe("")
    expect(first.code).toBe(0)
    expect(sha256(await readFile(join(first.dir, "manifest.json")))).toBe(alpine.manifest.digest)

    // Root sees it in the instance's cache totals (the last blob is recorded just after its last byte, ADR 0011).
    await root.goto("/admin")
    await waitUntil(async () => {
      await root.reload()
      return (await root.locator("#total-blobs").textContent()) === "2"
    }, 15_000, 100, "both blobs counted")
    expect(await root.locator("#total-manifests").textContent()).toBe("1")
    expect(await root.locator("#total-size").textContent()).not.toBe("0 B")
    await root.screenshot({ path: await artifactPath("admin-overview.png"), fullPage: true })

    // Dana revokes the token in the UI: the next pull with it is refused.
    await dana.goto("/-/user_settings/personal_access_tokens")
    await dana.getByRole("button", { name: "Revoke laptop" }).click()
    await dana.getByRole("button", { name: "Revoke token" }).click()
    await dana.waitForURL("**/personal_access_tokens?notice=revoked")
    const refused = await skopeoPull("dana", token)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/denied|unauthorized|authentication required|403/i)
    await danaContext.close()
    await rootContext.close()
  }, 300_000)
})
