import { describe, expect, it } from "vitest"
import type { UpstreamResilience } from "../../src/config/upstreamResilience.js"
import { breakerBecomes, breakerOf, breakerTransitionsLogged } from "../support/faults/breakerWatch.js"
import { type FaultWorld, GROUP, startFaultWorld } from "../support/worlds/faultWorld.js"
import { onlyLayer } from "../support/faults/images.js"
import { leakedSecrets } from "../support/faults/logLines.js"
import { bodyDigest, explain, ociErrorCodes, type Received } from "../support/faults/registryClient.js"
import { SERVICE } from "../support/upstream/fixture.js"
import type { PushedImage } from "../support/upstream/images.js"

const BUDGET_MS = 1_000
const RESILIENCE: UpstreamResilience = {
  revalidationBudgetMs: BUDGET_MS,
  breakerFailures: 3,
  // Long enough that the checks made while it is open cannot meet its probe, even on a loaded machine.
  breakerCooldownMs: 8_000,
  breakerSlowCallMs: 1_000,
  notFoundTtlMs: 60_000
}
/** The bounds, with a wide margin for a loaded machine: within the budget; "under 100 ms" once open. */
const WITHIN_BUDGET_MS = BUDGET_MS + 2_500
const AT_ONCE_MS = 1_000
const SLOW_RESPONSE_MS = 5_000
const HEADERS_TIMEOUT_MS = 10_000

/** How one kind of outage starts and ends; `traffic` counts what reached the upstream (registry and token endpoint). */
interface Outage {
  readonly begin: (world: FaultWorld) => Promise<void>
  readonly end: (world: FaultWorld) => Promise<void>
  /** Whether the upstream may still answer the first pulls' requests later (a check the cache must not wait for). */
  readonly answersLate: boolean
}

const traffic = (world: FaultWorld) => world.faults.requests().length + world.upstream.tokenServer.requestCount()

const injected = (fault: Parameters<FaultWorld["faults"]["inject"]>[1], match = { pathIncludes: "/v2/" }): Outage => {
  let remove = () => {}
  return {
    begin: async (world) => {
      remove = world.faults.inject(match, fault, Infinity).remove
    },
    end: async () => remove(),
    answersLate: fault._tag === "Delay"
  }
}

const OUTAGES: ReadonlyArray<readonly [string, Outage]> = [
  ["refusing connections", {
    begin: (world) => world.faults.goDown(),
    end: (world) => world.faults.comeBack(),
    answersLate: false
  }],
  ["accepting connections and never answering", injected({ _tag: "Hang" })],
  [`answering slowly (${SLOW_RESPONSE_MS / 1000} s per response)`, injected({ _tag: "Delay", ms: SLOW_RESPONSE_MS })],
  ["with its token endpoint hanging", (() => {
    // The registry refuses the cached pull token (as when it expired), so every check needs a new one.
    let release = () => {}
    let refuseTokens = () => {}
    return {
      begin: async (world) => {
        release = world.upstream.tokenServer.hang().release
        const challenge = `Bearer realm="${world.upstream.tokenServer.realm}",service="${SERVICE}"`
        refuseTokens = world.faults.inject({ method: "HEAD", pathIncludes: "/manifests/" }, { _tag: "Answer", status: 401, headers: { "www-authenticate": challenge } }, Infinity).remove
      },
      end: async () => {
        refuseTokens()
        release()
      },
      answersLate: false
    }
  })()]
]

const metricsOf = async (world: FaultWorld) => (await fetch(`http://${world.proxy.host}/metrics`)).text()

/**
 * The upstream breaker and the revalidation budget (ADR 0012), against a real registry behind the fault proxy.
 * For each outage: cached tags answer within the budget on the first pull, the breaker opens, then cached
 * tags answer at once without asking upstream and uncached content is an OCI 503 with `Retry-After`; once
 * upstream is back the breaker closes by itself (a pull probes) and a tag that moved meanwhile is fetched.
 */
describe("the upstream breaker", () => {
  for (const [name, outage] of OUTAGES) {
    it(`with the upstream ${name}`, async () => {
      // Header timeouts ten times the budget: no pull here may wait for them.
      const world = await startFaultWorld({ retries: 1, retryBaseDelayMs: 50, headersTimeoutMs: HEADERS_TIMEOUT_MS }, RESILIENCE)
      try {
        const host = new URL(world.faults.url).host
        const tags = ["1", "2", "3"]
        const cached = new Map<string, PushedImage>()
        for (const tag of tags) cached.set(tag, await world.upstream.images.singleArch("library/app", tag))
        const uncached = await world.upstream.images.singleArch("library/app", "4")
        for (const tag of tags) expect(explain(await world.alice.pull(GROUP, "app", "manifests", tag))).toMatch(/^200: /)
        // Upstream moves tag 1 meanwhile: the first check after the outage must find it.
        const moved = await world.upstream.images.retag("library/app", "1")

        await outage.begin(world)
        const first = await Promise.all(tags.map((tag) => world.alice.pull(GROUP, "app", "manifests", tag)))
        for (const [i, pulled] of first.entries()) {
          expect(pulled.status, explain(pulled)).toBe(200)
          expect(pulled.headers.get("docker-content-digest")).toBe(cached.get(tags[i] ?? "")?.manifest.digest)
          expect(pulled.elapsedMs).toBeLessThan(WITHIN_BUDGET_MS)
        }
        // Pulls meanwhile do not wait for the check still under way.
        const meanwhile = await world.alice.pull(GROUP, "app", "manifests", "1")
        expect(meanwhile.status, explain(meanwhile)).toBe(200)
        expect(meanwhile.elapsedMs).toBeLessThan(AT_ONCE_MS)
        if (outage.answersLate) {
          // Served before upstream answered the check: the cache did not wait for it.
          expect(world.faults.requests({ method: "HEAD", pathIncludes: "/app/manifests/" }).filter((r) => r.status === null).length).toBeGreaterThan(0)
        }

        const opened = await breakerBecomes(world.proxy.host, host, (b) => b.breaker === "open", 10_000)
        expect(opened.retry_in_seconds).toBeGreaterThan(0)
        const before = traffic(world)
        const atOnce = await world.alice.pull(GROUP, "app", "manifests", "2")
        expect(atOnce.status, explain(atOnce)).toBe(200)
        expect(atOnce.headers.get("docker-content-digest")).toBe(cached.get("2")?.manifest.digest)
        expect(atOnce.elapsedMs).toBeLessThan(AT_ONCE_MS)
        const refused: ReadonlyArray<Received> = [
          await world.alice.pull(GROUP, "app", "manifests", "4"),
          await world.alice.pull(GROUP, "app", "blobs", onlyLayer(uncached).digest)
        ]
        for (const response of refused) {
          expect(response.status, explain(response)).toBe(503)
          expect(ociErrorCodes(response)).toEqual(["UNAVAILABLE"])
          const retryAfter = Number(response.headers.get("retry-after"))
          expect(retryAfter).toBeGreaterThanOrEqual(1)
          expect(retryAfter).toBeLessThanOrEqual(RESILIENCE.breakerCooldownMs / 1000)
          expect(response.elapsedMs).toBeLessThan(AT_ONCE_MS)
        }
        // None of it reached upstream: the breaker answered.
        expect(traffic(world)).toBe(before)
        expect((await breakerOf(world.proxy.host, host))?.breaker).toBe("open")
        const metrics = await metricsOf(world)
        expect(metrics).toContain(`dependency_proxy_upstream_breaker_state{upstream="${host}",state="open"} 1`)
        expect(metrics).toMatch(new RegExp(`dependency_proxy_upstream_breaker_refused_total\\{upstream="${host.replace(/\./g, "\\.")}"\\} [1-9]`))

        await outage.end(world)
        // The cooldown passes; the next check of the tag is the probe (a check still hanging from the outage
        // ends at the header timeout first), finds upstream answering and the tag moved.
        await breakerBecomes(world.proxy.host, host, (b) => b.retry_in_seconds === 0 || b.breaker !== "open", RESILIENCE.breakerCooldownMs + 5_000)
        const giveUpAt = Date.now() + HEADERS_TIMEOUT_MS + 20_000
        let latest = await world.alice.pull(GROUP, "app", "manifests", "1")
        while (latest.headers.get("docker-content-digest") !== moved.manifest.digest && Date.now() < giveUpAt) {
          expect(latest.status, explain(latest)).toBe(200)
          latest = await world.alice.pull(GROUP, "app", "manifests", "1")
        }
        expect(bodyDigest(latest)).toBe(moved.manifest.digest)
        expect((await breakerOf(world.proxy.host, host))?.breaker).toBe("closed")
        // Uncached content is fetched again.
        expect(bodyDigest(await world.alice.pull(GROUP, "app", "manifests", "4"))).toBe(uncached.manifest.digest)

        // One log line per transition: it opened first and ended closed, through a probe.
        const transitions = breakerTransitionsLogged(world.logs, host)
        expect(transitions[0]).toBe("closed → open")
        expect(transitions).toContain("open → half_open")
        expect(transitions.at(-1)).toBe("half_open → closed")
        expect(leakedSecrets(world.logs, world.secrets())).toEqual([])
      } finally {
        await world.close()
      }
    }, 120_000)
  }
})
