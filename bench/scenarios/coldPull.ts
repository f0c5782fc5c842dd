import { matchesFilter } from "../../test/support/upstream/accessLog.js"
import type { RegistryProcess } from "../../test/support/upstream/registryProcess.js"
import type { CacheUnderTest } from "../caches/CacheUnderTest.js"
import type { BenchConfig } from "../config.js"
import type { BenchBlob, BenchImages } from "../images.js"
import { pullConcurrently } from "../lib/blobPull.js"
import { cpuDuring, formatCpu } from "../lib/procCpu.js"
import type { Figure } from "../report/Figure.js"
import { alternate, compared } from "./alternate.js"

const SCENARIO = "3. cold concurrent pull"

interface ColdResult {
  readonly singleSeconds: number
  readonly manySeconds: number
  /** Blob bytes the upstream sent for the concurrent pull (200 and 206 answers), as its own access log counts them. */
  readonly upstreamBytes: number
  readonly blobSize: number
}

const upstreamBlobBytes = async (upstream: RegistryProcess, digest: string): Promise<number> =>
  (await upstream.accessLog())
    // Only bodies of blob answers: a 401 challenge before the token fetch carries a small JSON body too.
    .filter((entry) => matchesFilter(entry, { method: "GET", kind: "blob", reference: digest, status: [200, 206] }))
    .reduce((sum, entry) => sum + entry.bytes, 0)

const coldPull = async (cache: CacheUnderTest, blob: BenchBlob, clients: number) =>
  pullConcurrently(cache.blobUrl(blob.image, blob.digest), await cache.authorization(blob.image), blob.size, clients)

/**
 * SPEC §9: 32 clients pull one blob neither cache has seen, all at once. Upstream bytes come from the
 * upstream registry's access log; the wall time is compared with one client's cold pull of another fresh
 * blob of the same size, in the same round.
 */
export const coldConcurrentPull = async (
  caches: ReadonlyArray<CacheUnderTest>,
  upstream: RegistryProcess,
  images: BenchImages,
  config: BenchConfig,
  log: (line: string) => void
): Promise<ReadonlyArray<Figure>> => {
  // A profile window each for the single client and the many: their costs differ in kind.
  const results = await alternate(config.rounds, caches, null, async (cache, round): Promise<ColdResult> => {
    const blobs = images.cold[round - 1]
    if (blobs === undefined) throw new Error(`no cold blobs for round ${round}`)
    // The server's CPU seconds beside the wall times: on a shared machine they move far less.
    const { result: single, cpu: singleCpu } = await cache.measuring(`cold-single-round-${round}`, () => cpuDuring(cache.pid, () => coldPull(cache, blobs.single, 1)))
    await upstream.clearAccessLog()
    const { result: many, cpu: manyCpu } = await cache.measuring(`cold-many-round-${round}`, () => cpuDuring(cache.pid, () => coldPull(cache, blobs.many, config.coldClients)))
    const upstreamBytes = await upstreamBlobBytes(upstream, blobs.many.digest)
    log(`  round ${round} ${cache.name}: 1 client ${single.seconds.toFixed(2)} s, ${formatCpu(singleCpu)}; ${config.coldClients} clients ${many.seconds.toFixed(2)} s, ${formatCpu(manyCpu)}; upstream ${upstreamBytes} bytes for a ${blobs.many.size}-byte blob`)
    return { singleSeconds: single.seconds, manySeconds: many.seconds, upstreamBytes, blobSize: blobs.many.size }
  })
  const clients = `${config.coldClients} clients`
  return [
    compared(results, { scenario: SCENARIO, metric: `upstream bytes ÷ blob size, ${clients}`, unit: "×", target: { kind: "atMost", value: 1 } }, (r) => r.upstreamBytes / r.blobSize),
    compared(results, { scenario: SCENARIO, metric: `wall time ${clients} ÷ 1 client`, unit: "×", target: { kind: "atMost", value: 1.2 } }, (r) => r.manySeconds / r.singleSeconds),
    compared(results, { scenario: SCENARIO, metric: "wall time, 1 client", unit: "s", target: { kind: "info" } }, (r) => r.singleSeconds),
    compared(results, { scenario: SCENARIO, metric: `wall time, ${clients}`, unit: "s", target: { kind: "info" } }, (r) => r.manySeconds)
  ]
}
