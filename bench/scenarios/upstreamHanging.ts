import { startFaultProxy } from "../../test/support/faults/faultProxy.js"
import type { Upstream } from "../../test/support/upstream/fixture.js"
import { type CacheUnderTest, MANIFEST_ACCEPT } from "../caches/CacheUnderTest.js"
import { startDistributionProxy } from "../caches/distribution.js"
import { startOurs } from "../caches/ours.js"
import type { BenchConfig } from "../config.js"
import { Cleanups } from "../lib/cleanups.js"
import { type LoadResult, runWrk } from "../lib/wrk.js"
import type { Figure } from "../report/Figure.js"
import { alternate, compared } from "./alternate.js"

const SCENARIO = "6. cached manifest pulls, upstream hanging"
/** How long the first pull after the upstream went quiet is waited for. */
const FIRST_PULL_CAP_MS = 60_000
/** wrk gives up on a request after this long; it must be shorter than a round for a hang to show. */
const PULL_TIMEOUT_SECONDS = 2

/** One GET of the manifest: how long it took, capped; and its status (0: no answer within the cap). */
const timedPull = async (cache: CacheUnderTest, image: string, tag: string) => {
  const started = performance.now()
  const status = await fetch(cache.manifestUrl(image, tag), {
    headers: { authorization: await cache.authorization(image), accept: MANIFEST_ACCEPT },
    signal: AbortSignal.timeout(FIRST_PULL_CAP_MS)
  }).then(async (response) => {
    await response.arrayBuffer()
    return response.status
  }, () => 0)
  return { ms: performance.now() - started, status }
}

/**
 * ADR 0012: pulls of a cached tag while the upstream accepts connections and never answers (a half-dead
 * registry, a black-holed route). Both caches ask upstream on every tag pull here (ours with the group's check
 * interval at 0, as by default), through a fault proxy that swallows every request once the tag is cached.
 * Measured per cache, with wrk over the rounds: steady load with the upstream answering (for scale), then
 * the first pull after the upstream went quiet, then steady load again. Ours serves within the revalidation budget until its breaker opens, then at
 * once; distribution waits for its upstream.
 */
export const manifestPullsWithUpstreamHanging = async (
  upstream: Upstream,
  config: BenchConfig,
  outer: Cleanups,
  log: (line: string) => void
): Promise<ReadonlyArray<Figure>> => {
  const cleanups = new Cleanups()
  outer.add("stop scenario 6's caches", () => cleanups.runAll())
  try {
    await upstream.images.singleArch("library/bench-quiet", "1")
    const faults = await startFaultProxy({ host: "127.0.0.1", port: upstream.registry.port })
    cleanups.add("close the fault proxy", faults.close)
    const caches = [await startOurs(faults.url, cleanups, null, 0), await startDistributionProxy(faults.url, cleanups)]
    for (const cache of caches) {
      const warm = await timedPull(cache, "bench-quiet", "1")
      if (warm.status !== 200) throw new Error(`${cache.name} answered the first manifest pull with ${warm.status}`)
    }
    const load = (cache: CacheUnderTest) =>
      cache.authorization("bench-quiet").then((authorization) =>
        runWrk({
          url: cache.manifestUrl("bench-quiet", "1"),
          headers: { authorization, accept: MANIFEST_ACCEPT },
          connections: config.manifestConnections,
          seconds: config.manifestSeconds,
          timeoutSeconds: PULL_TIMEOUT_SECONDS
        })
      )
    const report = (when: string) => (result: LoadResult, cache: CacheUnderTest, round: number) =>
      log(`  ${when}, round ${round} ${cache.name}: ${result.requestsPerSecond.toFixed(1)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.failures} errors`)
    // The same pulls with the upstream answering, for scale: both caches HEAD upstream on each.
    const healthy = await alternate(config.rounds, caches, "upstream-answering", async (cache, round) => {
      const result = await load(cache)
      report("upstream answering")(result, cache, round)
      return result
    })
    faults.inject({ pathIncludes: "/v2/" }, { _tag: "Hang" }, Infinity)

    const first = { ours: [0], distribution: [0] }
    for (const cache of caches) {
      const pulled = await timedPull(cache, "bench-quiet", "1")
      first[cache.name] = [pulled.ms]
      log(`  first pull after the upstream went quiet, ${cache.name}: ${pulled.status === 0 ? `no answer within ${FIRST_PULL_CAP_MS / 1000} s` : `${pulled.status} after ${pulled.ms.toFixed(0)} ms`}`)
    }
    const results = await alternate(config.rounds, caches, "upstream-hanging", async (cache, round) => {
      const result = await load(cache)
      report("upstream hanging")(result, cache, round)
      return result
    })
    const connections = `${config.manifestConnections} connections`
    return [
      compared(healthy, { scenario: SCENARIO, metric: `requests/s with the upstream answering, ${connections}`, unit: "req/s", target: { kind: "info" } }, (r) => r.requestsPerSecond),
      compared(healthy, { scenario: SCENARIO, metric: "p99 latency with the upstream answering", unit: "ms", target: { kind: "info" } }, (r) => r.p99Ms),
      compared(first, { scenario: SCENARIO, metric: `first pull after the upstream went quiet (capped at ${FIRST_PULL_CAP_MS / 1000} s)`, unit: "ms", target: { kind: "atMostTheirs" } }, (ms) => ms),
      compared(results, { scenario: SCENARIO, metric: `requests/s answered with the upstream hanging, ${connections}`, unit: "req/s", target: { kind: "atLeastTheirs" } }, (r) => r.requestsPerSecond),
      // Of the answered pulls only: with none answered, wrk reports 0.
      compared(results, { scenario: SCENARIO, metric: "p99 latency of answered pulls, upstream hanging", unit: "ms", target: { kind: "info" } }, (r) => r.p99Ms),
      // wrk counts non-2xx answers and socket errors; a pull still hanging when the round ends is not counted.
      compared(results, { scenario: SCENARIO, metric: "errors reported by wrk, upstream hanging", unit: "requests", target: { kind: "info" } }, (r) => r.failures)
    ]
  } finally {
    await cleanups.runAll()
  }
}
