import { Effect } from "effect"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { EventStore } from "../../src/application/ports/EventStore.js"
import { MANIFEST_MEDIA_TYPES } from "../../src/application/ports/UpstreamRegistry.js"
import { LiveView } from "../../src/application/LiveView.js"
import { createGroup, updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { createUser } from "../../src/application/useCases/users.js"
import { proxyHarness } from "../support/proxyApp.js"
import { basic, scopeFor } from "../support/registryApp.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import { launchChromium, newContext } from "../support/ui/chromium.js"
import { signIn } from "../support/worlds/uiWorld.js"

const PASSWORD = "correct-horse-battery"
const WRONG_SECRET = "typo-in-the-secret-0451"

/**
 * Issue 15: a typo in a group's Docker Hub secret was invisible (every uncached pull a "manifest unknown").
 * Against the real upstream fixture, which refuses wrong credentials at its token endpoint as Docker Hub does.
 */
describe("the upstream rejecting a group's Docker Hub credentials", () => {
  let upstream: Upstream
  let proxy: Awaited<ReturnType<typeof proxyHarness>>
  let browser: Browser
  let groupId: number
  const logs: Array<string> = []

  beforeAll(async () => {
    upstream = await startUpstream({ users: { hubuser: "hubpass" } })
    await upstream.images.singleArch("library/alpine", "3.19")
    proxy = await proxyHarness(upstream.url, { logSink: logs })
    const olivia = await proxy.run(createUser({ username: "olivia", email: "o@example.test", name: "Olivia", password: PASSWORD, admin: false }))
    groupId = await proxy.run(createGroup({ path: "acme", name: "Acme", parentId: null, ownerUserId: olivia }))
    await proxy.run(updateDependencyProxySettings(groupId, { identity: "hubuser", secret: WRONG_SECRET }))
    browser = await launchChromium()
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    await proxy?.close()
    await upstream?.stopAll()
  })

  const pull = async () => {
    const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor("acme", "alpine") })
    const auth = await fetch(`http://${proxy.host}/jwt/auth?${query}`, { headers: { authorization: basic("olivia", PASSWORD) } })
    const { token } = (await auth.json()) as { token: string }
    const response = await fetch(`http://${proxy.host}/v2/acme/dependency_proxy/containers/alpine/manifests/3.19`, {
      headers: { authorization: `Bearer ${token}`, accept: MANIFEST_MEDIA_TYPES.join(", ") }
    })
    return { status: response.status, body: await response.text() }
  }
  const groupStream = () => proxy.run(Effect.flatMap(EventStore, (store) => store.readStream(`group-${groupId}`)))
  const rejection = () =>
    proxy.run(LiveView.pipe(Effect.flatMap((view) => view.current), Effect.map((state) => state.groupAt("acme")))).then((group) =>
      group._tag === "Some" ? group.value.settings.credentialsRejected : "no group")
  const rejectedCount = async () => {
    const metrics = await (await fetch(`http://${proxy.host}/metrics`)).text()
    const line = metrics.split("\n").find((l) => l.startsWith("dependency_proxy_upstream_credentials_rejected_total"))
    return line === undefined ? 0 : Number(line.split(" ").at(-1))
  }
  const warnings = () => logs.filter((line) => line.includes("rejected a group's Docker Hub credentials"))

  it("tells the client, logs one warning per rejection without the secret, counts it, and records it once", async () => {
    const before = (await groupStream()).length
    const first = await pull()
    expect(first.status).toBe(403)
    expect(JSON.parse(first.body)).toEqual({
      errors: [{
        code: "DENIED",
        detail: null,
        message: "the upstream registry rejected this group's Docker Hub credentials (HTTP 401); a group Owner must correct them in the group's Dependency Proxy settings"
      }]
    })
    expect(warnings()).toHaveLength(1)
    expect(warnings()[0]).toContain("acme")
    expect(warnings()[0]).toMatch(/"upstreamStatus":401/)
    expect(logs.join("\n")).not.toContain(WRONG_SECRET)
    expect(await rejectedCount()).toBe(1)
    expect(await rejection()).toMatchObject({ status: 401 })
    const recorded = (await groupStream()).slice(before)
    expect(recorded.map((e) => e.type)).toEqual(["UpstreamCredentialsRejected"])
    expect(recorded[0]?.metadata.actor).toBe("system:upstream-credentials")

    // The next failing pull is logged and counted again, but is no news for the log of events.
    expect((await pull()).status).toBe(403)
    expect(warnings()).toHaveLength(2)
    expect(await rejectedCount()).toBe(2)
    expect((await groupStream()).length).toBe(before + 1)
  })

  it("shows every member of the group when it happened, until the credentials change; then pulls work", async () => {
    const context = await newContext(browser, `http://${proxy.host}`)
    const page = await context.newPage()
    await signIn(page, "olivia", PASSWORD)
    await page.goto("/groups/acme/-/dependency_proxy")
    const notice = page.locator("#credentials-notice")
    expect(await notice.innerText()).toContain("The upstream registry rejected this group's Docker Hub credentials (HTTP 401), last at")
    expect(await notice.locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/)

    await proxy.run(updateDependencyProxySettings(groupId, { identity: "hubuser", secret: "hubpass" }))
    expect(await rejection()).toBeNull()
    await page.goto("/groups/acme/-/dependency_proxy")
    expect(await page.locator("#credentials-notice").count()).toBe(0)
    const good = await pull()
    expect(good.status, good.body).toBe(200)
    await context.close()
  })
})
