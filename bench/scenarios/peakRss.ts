import type { CacheUnderTest } from "../caches/CacheUnderTest.js"
import type { BenchConfig } from "../config.js"
import type { BenchBlob } from "../images.js"
import { pullConcurrently } from "../lib/blobPull.js"
import { readMemory, watchPeakRss } from "../lib/procStatus.js"
import type { Figure } from "../report/Figure.js"
import { alternate, compared } from "./alternate.js"
import { warmBlob } from "./blobThroughput.js"

const SCENARIO = "4. memory while streaming"
const MiB = 2 ** 20

/** SPEC §9: the server's peak RSS while 16 clients stream the cached 2 GiB blob (memory flat in blob size). */
export const peakRssWhileStreaming = async (
  caches: ReadonlyArray<CacheUnderTest>,
  blob: BenchBlob,
  config: BenchConfig,
  log: (line: string) => void
): Promise<ReadonlyArray<Figure>> => {
  await warmBlob(caches, blob)
  const results = await alternate(config.rounds, caches, "stream-2g", async (cache, round) => {
    const authorization = await cache.authorization(blob.image)
    const idleMiB = (await readMemory(cache.pid)).rssBytes / MiB
    const watch = await watchPeakRss(cache.pid)
    const pulled = await pullConcurrently(cache.blobUrl(blob.image, blob.digest), authorization, blob.size, config.rssClients)
    const peakMiB = (await watch.stop()) / MiB
    const mbPerSecond = pulled.bytes / 1e6 / pulled.seconds
    log(`  round ${round} ${cache.name}: RSS ${idleMiB.toFixed(0)} MiB before, peak ${peakMiB.toFixed(0)} MiB, ${mbPerSecond.toFixed(0)} MB/s`)
    return { idleMiB, peakMiB, mbPerSecond }
  })
  const what = `${config.rssClients} clients, ${(blob.size / 2 ** 30).toFixed(2)} GiB blob`
  return [
    compared(results, { scenario: SCENARIO, metric: `peak RSS, ${what}`, unit: "MiB", target: { kind: "below", value: 200 } }, (r) => r.peakMiB),
    compared(results, { scenario: SCENARIO, metric: "RSS before the clients start", unit: "MiB", target: { kind: "info" } }, (r) => r.idleMiB),
    compared(results, { scenario: SCENARIO, metric: `throughput, ${what}`, unit: "MB/s", target: { kind: "info" } }, (r) => r.mbPerSecond)
  ]
}
