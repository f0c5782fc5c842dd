import { startFaultProxy } from "../../test/support/faults/faultProxy.js"
import type { Upstream } from "../../test/support/upstream/fixture.js"
import { type CacheUnderTest, MANIFEST_ACCEPT } from "../caches/CacheUnderTest.js"
import { startDistributionProxy } from "../caches/distribution.js"
import { startOurs } from "../caches/ours.js"
import type { BenchConfig } from "../config.js"
import { Cleanups } from "../lib/cleanups.js"
import { runWrk } from "../lib/wrk.js"
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
 * Measured per cache: the first pull after the upstream went quiet, then steady load with wrk (a pull not
 * answered within 2 s counts as timed out) over the rounds. Ours serves within the revalidation budget until its breaker opens, then at
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
    faults.inject({ pathIncludes: "/v2/" }, { _tag: "Hang" }, Infinity)

    const first = { ours: [0], distribution: [0] }
    for (const cache of caches) {
      const pulled = await timedPull(cache, "bench-quiet", "1")
      first[cache.name] = [pulled.ms]
      log(`  first pull after the upstream went quiet, ${cache.name}: ${pulled.status === 0 ? `no answer within ${FIRST_PULL_CAP_MS / 1000} s` : `${pulled.status} after ${pulled.ms.toFixed(0)} ms`}`)
    }
    const results = await alternate(config.rounds, caches, "upstream-hanging", async (cache, round) => {
      const result = await runWrk({
        url: cache.manifestUrl("bench-quiet", "1"),
        headers: { authorization: await cache.authorization("bench-quiet"), accept: MANIFEST_ACCEPT },
        connections: config.manifestConnections,
        seconds: config.manifestSeconds,
        timeoutSeconds: PULL_TIMEOUT_SECONDS
      })
      log(`  round ${round} ${cache.name}: ${result.requestsPerSecond.toFixed(1)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.failures} of ${result.requests} failed or timed out`)
      return result
    })
    const load = `${config.manifestConnections} connections`
    return [
      compared(first, { scenario: SCENARIO, metric: `first pull after the upstream went quiet (capped at ${FIRST_PULL_CAP_MS / 1000} s)`, unit: "ms", target: { kind: "atMostTheirs" } }, (ms) => ms),
      compared(results, { scenario: SCENARIO, metric: `requests/s answered, ${load}`, unit: "req/s", target: { kind: "atLeastTheirs" } }, (r) => r.requestsPerSecond),
      // Of the answered pulls only: with none answered, wrk reports 0.
      compared(results, { scenario: SCENARIO, metric: "p99 latency of answered pulls", unit: "ms", target: { kind: "info" } }, (r) => r.p99Ms),
      compared(results, { scenario: SCENARIO, metric: `failed or unanswered within ${PULL_TIMEOUT_SECONDS} s`, unit: "requests", target: { kind: "info" } }, (r) => r.failures)
    ]
  } finally {
    await cleanups.runAll()
  }
}
