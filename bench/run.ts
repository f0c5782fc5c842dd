import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { startUpstream, type Upstream } from "../test/support/upstream/fixture.js"
import { startDistributionProxy } from "./caches/distribution.js"
import { startOurs } from "./caches/ours.js"
import { type BenchConfig, benchConfig, SCENARIOS } from "./config.js"
import { eventStoreBench } from "./eventStore/eventStoreBench.js"
import { pushBenchImages } from "./images.js"
import { type Cleanups, withCleanups } from "./lib/cleanups.js"
import { describeMachine, machineLines } from "./lib/machine.js"
import type { Figure } from "./report/Figure.js"
import { markdownReport } from "./report/markdown.js"
import { svgChart } from "./report/svgChart.js"
import { blobThroughput } from "./scenarios/blobThroughput.js"
import { coldConcurrentPull } from "./scenarios/coldPull.js"
import { manifestPulls } from "./scenarios/manifestPulls.js"
import { peakRssWhileStreaming } from "./scenarios/peakRss.js"
import { manifestPullsWithUpstreamHanging } from "./scenarios/upstreamHanging.js"
import { startupAndIdleMemory } from "./scenarios/startup.js"
import { throttledColdPull } from "./scenarios/throttledColdPull.js"
import { buildCompiledCli } from "../test/support/compiledCli.js"

const RESULTS = join(import.meta.dirname, "results")
const log = (line: string): void => void process.stdout.write(`${line}\n`)

/** Scenarios 1–4: ours and distribution in proxy mode in front of the same upstream, healthy. */
const cacheScenarios = async (upstream: Upstream, config: BenchConfig, cleanups: Cleanups): Promise<ReadonlyArray<Figure>> => {
  const figures: Array<Figure> = []
  log("pushing images")
  const images = await pushBenchImages(upstream, config, log)
  log("starting our service and distribution in proxy mode")
  const caches = [
    await startOurs(upstream.url, cleanups, config.profileDir, undefined, config.blobStorage),
    await startDistributionProxy(upstream.url, cleanups)
  ]
  if (config.scenarios.has(1) && images.hit !== null) {
    log("1. cache-hit blob throughput")
    figures.push(...(await blobThroughput(caches, images.hit, config, log)))
  }
  if (config.scenarios.has(2)) {
    log("2. cache-hit manifest pulls by tag")
    figures.push(...(await manifestPulls(caches, images.manifest, config, log)))
  }
  if (config.scenarios.has(3)) {
    log("3. cold concurrent pull")
    figures.push(...(await coldConcurrentPull(caches, upstream.registry, images, config, log)))
  }
  if (config.scenarios.has(4) && images.rss !== null) {
    log("4. peak RSS while streaming")
    figures.push(...(await peakRssWhileStreaming(caches, images.rss, config, log)))
  }
  return figures
}

/** `npm run bench`: SPEC §9's scenarios, ours beside distribution, results in bench/results/<date>.md and .svg. */
const exitCode = await withCleanups(async (cleanups) => {
  const config = benchConfig(process.env)
  // Our server runs from dist/: measure the sources as they are, never an older build.
  await buildCompiledCli()
  const started = performance.now()
  const before = await describeMachine()
  for (const line of machineLines(before, "machine")) log(line)
  log(`scale ${config.scale}, ${config.rounds} rounds, scenarios ${[...config.scenarios].join(", ")}, our blobs on ${config.blobStorage}`)

  const figures: Array<Figure> = []
  if ([1, 2, 3, 4, 6, 8].some((n) => config.scenarios.has(n))) {
    log("starting the upstream")
    const upstream = await startUpstream()
    cleanups.add("stop the upstream", upstream.stopAll)
    if (config.scenarios.has(6)) {
      // First, on caches of its own (stopped when it ends): their upstream hangs.
      log("6. cached manifest pulls with the upstream hanging")
      figures.push(...(await manifestPullsWithUpstreamHanging(upstream, config, cleanups, log)))
    }
    if ([1, 2, 3, 4].some((n) => config.scenarios.has(n))) figures.push(...(await cacheScenarios(upstream, config, cleanups)))
    if (config.scenarios.has(8)) {
      // Last, on caches of their own behind a 50 MB/s link.
      log("8. cold pull with the upstream at 50 MB/s")
      figures.push(...(await throttledColdPull(upstream, config, cleanups, log)))
    }
  }
  if (config.scenarios.has(5)) {
    log("5. event store")
    figures.push(...(await eventStoreBench(config, cleanups, log)))
  }
  if (config.scenarios.has(7)) {
    log("7. start-up and idle memory")
    figures.push(...(await startupAndIdleMemory(config, cleanups, log)))
  }

  const after = await describeMachine()
  const minutes = (performance.now() - started) / 60_000
  // A trial run must never overwrite the committed full-size results.
  const date = new Date().toISOString().slice(0, 10)
  const base = config.scale === 1 && config.scenarios.size === SCENARIOS.length && config.blobStorage === "filesystem" ? date : `${date}-trial`
  const labels = [config.blobStorage === "filesystem" ? null : config.blobStorage, config.label].filter((l) => l !== null)
  const name = [base, ...labels].join("-")
  const chartFile = `${name}.svg`
  await mkdir(RESULTS, { recursive: true })
  const report = markdownReport({ date, config, before, after, minutes, figures, chartFile })
  await writeFile(join(RESULTS, `${name}.md`), report)
  await writeFile(join(RESULTS, chartFile), svgChart(figures, `dependency proxy vs distribution (proxy mode), ${date}`))
  // The raw rounds, so a report or chart can be redrawn without running again.
  await writeFile(join(RESULTS, `${name}.json`), `${JSON.stringify({ date, config: { ...config, scenarios: [...config.scenarios] }, before, after, figures }, null, 2)}\n`)
  log(report.split("\n").filter((line) => line.startsWith("|")).join("\n"))
  log(`wrote bench/results/${name}.md and ${chartFile} after ${minutes.toFixed(1)} min`)
})
process.exitCode = exitCode
