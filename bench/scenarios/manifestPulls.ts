import { type CacheUnderTest, MANIFEST_ACCEPT } from "../caches/CacheUnderTest.js"
import type { BenchConfig } from "../config.js"
import { runWrk } from "../lib/wrk.js"
import type { Figure } from "../report/Figure.js"
import { alternate, compared } from "./alternate.js"

const SCENARIO = "2. cache-hit manifest pulls by tag"

/**
 * SPEC §9: GET of a cached manifest by tag with a bearer token, under steady load from wrk. Ours answers
 * a fresh tag locally; distribution in proxy mode asks upstream with a HEAD on every tag pull (its design).
 */
export const manifestPulls = async (
  caches: ReadonlyArray<CacheUnderTest>,
  manifest: { readonly image: string; readonly tag: string },
  config: BenchConfig,
  log: (line: string) => void
): Promise<ReadonlyArray<Figure>> => {
  const headersFor = async (cache: CacheUnderTest) => ({ authorization: await cache.authorization(manifest.image), accept: MANIFEST_ACCEPT })
  for (const cache of caches) {
    const response = await fetch(cache.manifestUrl(manifest.image, manifest.tag), { headers: await headersFor(cache) })
    if (response.status !== 200) throw new Error(`${cache.name} answered the first manifest pull with ${response.status}: ${await response.text()}`)
  }
  const results = await alternate(config.rounds, caches, "manifest", async (cache, round) => {
    const result = await runWrk({
      url: cache.manifestUrl(manifest.image, manifest.tag),
      headers: await headersFor(cache),
      connections: config.manifestConnections,
      seconds: config.manifestSeconds
    })
    if (result.failures > 0) throw new Error(`${cache.name}: ${result.failures} of ${result.requests} manifest pulls failed`)
    log(`  round ${round} ${cache.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`)
    return result
  })
  const load = `${config.manifestConnections} connections`
  return [
    compared(results, { scenario: SCENARIO, metric: `requests/s, ${load}`, unit: "req/s", target: { kind: "atLeastTheirs" } }, (r) => r.requestsPerSecond),
    compared(results, { scenario: SCENARIO, metric: "p50 latency", unit: "ms", target: { kind: "info" } }, (r) => r.p50Ms),
    compared(results, { scenario: SCENARIO, metric: "p99 latency", unit: "ms", target: { kind: "atMostTheirs" } }, (r) => r.p99Ms)
  ]
}
