import type { CacheUnderTest } from "../caches/CacheUnderTest.js"
import type { BenchConfig } from "../config.js"
import type { BenchBlob } from "../images.js"
import { pullConcurrently } from "../lib/blobPull.js"
import { cpuDuring, formatCpu } from "../lib/procCpu.js"
import type { Figure } from "../report/Figure.js"
import { alternate, compared } from "./alternate.js"

const SCENARIO = "1. cache-hit blob throughput"

/** Pulls the blob once through every cache, so that the measured pulls are all cache hits. */
export const warmBlob = async (caches: ReadonlyArray<CacheUnderTest>, blob: BenchBlob): Promise<void> => {
  for (const cache of caches) await pullConcurrently(cache.blobUrl(blob.image, blob.digest), await cache.authorization(blob.image), blob.size, 1)
}

/** SPEC §9: aggregate MB/s (10⁶ bytes) of 1 and of 16 clients each reading the whole cached blob. */
export const blobThroughput = async (
  caches: ReadonlyArray<CacheUnderTest>,
  blob: BenchBlob,
  config: BenchConfig,
  log: (line: string) => void
): Promise<ReadonlyArray<Figure>> => {
  await warmBlob(caches, blob)
  const figures: Array<Figure> = []
  for (const clients of config.hitClients) {
    const results = await alternate(config.rounds, caches, `hit-${clients}-clients`, async (cache, round) => {
      const authorization = await cache.authorization(blob.image)
      const { result: pulled, cpu } = await cpuDuring(cache.pid, () => pullConcurrently(cache.blobUrl(blob.image, blob.digest), authorization, blob.size, clients))
      const mbPerSecond = pulled.bytes / 1e6 / pulled.seconds
      const perGiB = (seconds: number) => (seconds / (pulled.bytes / 2 ** 30)).toFixed(3)
      log(`  round ${round} ${cache.name}, ${clients} client(s): ${mbPerSecond.toFixed(0)} MB/s, ${formatCpu(cpu)}, ${perGiB(cpu.process)} CPU s/GiB (main ${perGiB(cpu.main)})`)
      return mbPerSecond
    })
    const size = `${(blob.size / 2 ** 30).toFixed(2)} GiB`
    figures.push(compared(results, { scenario: SCENARIO, metric: `${clients} client${clients === 1 ? "" : "s"}, ${size} blob`, unit: "MB/s", target: { kind: "atLeastTheirs" } }, (v) => v))
  }
  return figures
}
