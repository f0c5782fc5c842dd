import { createHash } from "node:crypto"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { waitUntil } from "../support/waitUntil.js"
import { groupCache, humanSize } from "../../src/application/cache/groupCache.js"
import { recordManifest } from "../../src/application/cache/cacheEvents.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import { axeViolations, seriousOrCritical } from "../support/ui/axe.js"
import { artifactPath, launchChromium, newContext } from "../support/ui/chromium.js"
import { pullThroughProxy } from "../support/ui/pull.js"
import { PASSWORD, signIn, startUiWorld, type UiWorld } from "../support/worlds/uiWorld.js"

const PAGE = "/groups/acme/-/dependency_proxy"

/** The cached images as the page lists them, against a real upstream registry (distribution with token auth). */
describe("the cached images of a group", () => {
  let upstream: Upstream
  let world: UiWorld
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let acme: number
  let many: number

  beforeAll(async () => {
    upstream = await startUpstream()
    await upstream.images.singleArch("library/alpine", "3.19", { files: { "etc/motd": "hello from the fixture\n".repeat(200) } })
    world = await startUiWorld(upstream.url)
    const olivia = await world.user("olivia")
    acme = await world.group("acme", olivia)
    many = await world.group("many", olivia)
    browser = await launchChromium()
    context = await newContext(browser, world.baseUrl)
    page = await context.newPage()
    await signIn(page, "olivia")
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await world?.close()
    await upstream?.stopAll()
  })

  it("an image just pulled through the proxy appears in the list with its digest, media type and size", async () => {
    await page.goto(PAGE)
    expect(await page.getByText("No images are cached yet.").count()).toBe(1)
    const pulled = await pullThroughProxy({ host: world.proxy.host, username: "olivia", password: PASSWORD, group: "acme", image: "alpine", tag: "3.19" })
    // The client has a blob's last byte once it is verified; BlobCached is recorded just after (ADR 0011).
    await waitUntil(async () => {
      await page.reload()
      return (await page.locator("#blob-count").textContent()) === "2"
    }, 15_000, 100, "both blobs listed")
    const cells = (await page.locator("#images tbody tr").allInnerTexts()).map((row) => row.split("\t"))
    expect(cells).toHaveLength(1)
    const [image, tag, , mediaType, size, lastRead] = cells[0] ?? []
    expect([image, tag, mediaType, size]).toEqual(["alpine", "3.19", pulled.mediaType, humanSize(pulled.manifestBytes)])
    expect(lastRead).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/)
    const digest = page.locator("#images tbody tr td:nth-child(3) code")
    expect(await digest.getAttribute("title")).toBe(pulled.digest)
    expect(await digest.locator(".visually-hidden").textContent()).toBe(pulled.digest)
    expect(await page.locator("#image-count").textContent()).toBe("1")
    expect(await page.locator("#blob-count").textContent()).toBe("2")
    expect(await page.locator("#total-size").textContent()).toBe(humanSize(pulled.manifestBytes + pulled.blobBytes))
    await page.screenshot({ path: await artifactPath("group-page.png"), fullPage: true })
  })

  it("the Owner's page with a filled table still has no serious or critical axe violations", async () => {
    const audit = await newContext(browser, world.baseUrl, { forAxe: true })
    const auditPage = await audit.newPage()
    await signIn(auditPage, "olivia")
    await auditPage.goto(PAGE)
    expect(await auditPage.locator("#images tbody tr").count()).toBe(1)
    expect(seriousOrCritical(await axeViolations(auditPage))).toEqual([])
    await audit.close()
  })

  it("pages through 25 images 20 at a time, with next and previous links", async () => {
    for (let i = 1; i <= 25; i++) {
      const digest = `sha256:${createHash("sha256").update(`image ${i}`).digest("hex")}`
      await world.proxy.run(recordManifest({ groupId: many, image: "app", tag: `v${i}`, digest, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 100 + i }))
    }
    const tags = async () => (await page.locator("#images tbody tr td:nth-child(2)").allInnerTexts())
    await page.goto("/groups/many/-/dependency_proxy")
    const first = await tags()
    expect(first).toHaveLength(20)
    expect(await page.getByRole("link", { name: "Previous page" }).count()).toBe(0)
    expect(await page.locator(".pagination").innerText()).toContain("Page 1 of 2")
    await page.getByRole("link", { name: "Next page" }).click()
    await page.waitForURL((url) => url.searchParams.get("page") === "2")
    const second = await tags()
    expect(second).toHaveLength(5)
    expect(new Set([...first, ...second])).toEqual(new Set(Array.from({ length: 25 }, (_, i) => `v${i + 1}`)))
    expect(await page.getByRole("link", { name: "Next page" }).count()).toBe(0)
    await page.getByRole("link", { name: "Previous page" }).click()
    await page.waitForURL((url) => url.searchParams.get("page") === "1")
    expect(await tags()).toEqual(first)
    // A page past the end shows the last page rather than an empty table.
    await page.goto("/groups/many/-/dependency_proxy?page=99")
    expect(await tags()).toEqual(second)
  })

  it("purging asks first (cancel keeps everything), then empties the cache", async () => {
    await page.goto(PAGE)
    await page.getByRole("button", { name: "Purge cache…" }).click()
    await page.waitForURL((url) => url.pathname.endsWith("/purge"))
    expect(await page.locator("h1").textContent()).toBe("Purge the cache of acme?")
    expect(await page.locator("main p").first().textContent()).toContain("1 cached image and 2 blobs")
    expect((await world.proxy.run(groupCache(acme))).images).toHaveLength(1)
    await page.getByRole("link", { name: "Cancel" }).click()
    await page.waitForURL((url) => url.pathname === PAGE)
    expect(await page.locator("#image-count").textContent()).toBe("1")

    await page.getByRole("button", { name: "Purge cache…" }).click()
    await page.waitForURL((url) => url.pathname.endsWith("/purge"))
    await page.getByRole("button", { name: "Purge cache", exact: true }).click()
    await page.waitForURL((url) => url.pathname === PAGE)
    expect(await page.locator(".notice.success").textContent()).toBe("The cache is being purged.")
    // The purge runs on after the answer, as GitLab's does: the page shows it done once it is.
    await waitUntil(async () => {
      await page.reload()
      return (await page.locator("#image-count").textContent()) === "0"
    }, 15_000, 100, "the purge done")
    expect(await page.locator("#image-count").textContent()).toBe("0")
    expect(await page.locator("#blob-count").textContent()).toBe("0")
    expect(await page.getByText("No images are cached yet.").count()).toBe(1)
    const cache = await world.proxy.run(groupCache(acme))
    expect([cache.images.length, cache.blobs.length, cache.totalSizeBytes]).toEqual([0, 0, 0])
  })
})
