import type { Upstream } from "../../test/support/upstream/fixture.js"
import type { CacheUnderTest } from "../caches/CacheUnderTest.js"
import { startDistributionProxy } from "../caches/distribution.js"
import { startOurs } from "../caches/ours.js"
import type { BenchConfig } from "../config.js"
import type { BenchBlob } from "../images.js"
import { pullConcurrently } from "../lib/blobPull.js"
import { Cleanups } from "../lib/cleanups.js"
import { startThrottleProxy } from "../../test/support/throttleProxy.js"
import type { Figure } from "../report/Figure.js"
import { alternate, compared } from "./alternate.js"

const SCENARIO = "8. cold pull, upstream at 50 MB/s"

interface ThrottledResult {
  readonly singleSeconds: number
  readonly manySeconds: number
  /** Bytes the link carried for the concurrent pull, ÷ the blob's size: 1 is one upstream transfer. */
  readonly transfers: number
}

/**
 * Issue 13: a registry across the internet, not on the same machine. Both caches reach the upstream through
 * one link limited to 50 MB/s (a throttling proxy; all their connections share it), on caches of their own.
 * Per round and cache: one client pulls a fresh blob, then 32 clients pull another fresh blob at once. One
 * upstream transfer serving all 32 makes their wall time about one client's; a transfer per client shares
 * the link 32 ways.
 */
export const throttledColdPull = async (
  upstream: Upstream,
  config: BenchConfig,
  outer: Cleanups,
  log: (line: string) => void
): Promise<ReadonlyArray<Figure>> => {
  const cleanups = new Cleanups()
  outer.add("stop scenario 8's caches", () => cleanups.runAll())
  try {
    const blobs: Array<{ single: BenchBlob; many: BenchBlob }> = []
    for (let round = 1; round <= config.rounds; round++) {
      const layer = async (name: string): Promise<BenchBlob> => {
        const image = await upstream.images.largeLayer(`library/${name}`, "1", config.throttledBlobBytes)
        const blob = image.layers[0]
        if (blob === undefined) throw new Error(`no layer in ${name}`)
        return { image: name, digest: blob.digest, size: blob.size }
      }
      // One pair per cache and round: each cache meets every blob cold.
      blobs.push({ single: await layer(`throttled-${round}-single`), many: await layer(`throttled-${round}-many`) })
      blobs.push({ single: await layer(`throttled-${round}-single-b`), many: await layer(`throttled-${round}-many-b`) })
    }
    log(`  pushed ${blobs.length * 2} blobs of ${(config.throttledBlobBytes / 2 ** 20).toFixed(0)} MiB`)
    const link = await startThrottleProxy({ host: "127.0.0.1", port: upstream.registry.port }, config.throttledBytesPerSecond)
    cleanups.add("close the throttle proxy", link.close)
    const caches: ReadonlyArray<CacheUnderTest> = [await startOurs(link.url, cleanups, config.profileDir), await startDistributionProxy(link.url, cleanups)]
    const pull = async (cache: CacheUnderTest, blob: BenchBlob, clients: number) =>
      pullConcurrently(cache.blobUrl(blob.image, blob.digest), await cache.authorization(blob.image), blob.size, clients)
    const results = await alternate(config.rounds, caches, "throttled", async (cache, round): Promise<ThrottledResult> => {
      const pair = blobs[(round - 1) * 2 + (cache.name === "ours" ? 0 : 1)]
      if (pair === undefined) throw new Error(`no blobs for round ${round}`)
      const single = await pull(cache, pair.single, 1)
      const before = link.sent()
      const many = await pull(cache, pair.many, config.coldClients)
      const transfers = (link.sent() - before) / pair.many.size
      log(`  round ${round} ${cache.name}: 1 client ${single.seconds.toFixed(2)} s, ${config.coldClients} clients ${many.seconds.toFixed(2)} s, ${transfers.toFixed(2)} transfers over the link`)
      return { singleSeconds: single.seconds, manySeconds: many.seconds, transfers }
    })
    const clients = `${config.coldClients} clients`
    return [
      compared(results, { scenario: SCENARIO, metric: `wall time ${clients} ÷ 1 client`, unit: "×", target: { kind: "atMost", value: 1.2 } }, (r) => r.manySeconds / r.singleSeconds),
      compared(results, { scenario: SCENARIO, metric: `wall time, ${clients}`, unit: "s", target: { kind: "atMostTheirs" } }, (r) => r.manySeconds),
      compared(results, { scenario: SCENARIO, metric: "wall time, 1 client", unit: "s", target: { kind: "info" } }, (r) => r.singleSeconds),
      compared(results, { scenario: SCENARIO, metric: `upstream transfers (link bytes ÷ blob size), ${clients}`, unit: "×", target: { kind: "info" } }, (r) => r.transfers)
    ]
  } finally {
    await cleanups.runAll()
  }
}
