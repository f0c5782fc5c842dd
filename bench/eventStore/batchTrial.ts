/**
 * Scenario 5's batch figure alone, for A/B trials of the store's batched append: `npx tsx
 * bench/eventStore/batchTrial.ts [batches]` appends that many 1,000-event batches of the scenario's mix (built
 * before the measured window: building them is the bench's work, not the store's) one after another, as the
 * scenario does, and prints one JSON line: events/s, wall µs per event, and this process's CPU µs per event.
 * `BATCH_PROFILE=file.cpuprofile` profiles the measured window.
 */
import { loadavg } from "node:os"
import { EventMix } from "./eventMix.js"
import { appendAll, withTrialStore } from "./trialRuntime.js"

const batches = Number(process.argv[2] ?? "20")

await withTrialStore(process.env["BATCH_PROFILE"], async ({ runtime, startProfile, stopProfile }) => {
  const mix = new EventMix()
  await runtime.runPromise(appendAll(mix.setup()))
  // Warm-up: the projector's and the driver's first calls, and a log the reads of the measured batches find.
  for (let i = 0; i < 5; i++) await runtime.runPromise(appendAll(mix.batch(1_000)))
  const prepared = Array.from({ length: batches }, () => mix.batch(1_000))
  await startProfile()
  const load = loadavg()[0]
  const cpu = process.cpuUsage()
  const started = performance.now()
  let events = 0
  for (const writes of prepared) events += (await runtime.runPromise(appendAll(writes))).length
  const wall = performance.now() - started
  const used = process.cpuUsage(cpu)
  await stopProfile()
  console.log(JSON.stringify({
    rate: Math.round(events / (wall / 1000)),
    wallMicrosPerEvent: Math.round((wall * 1000) / events),
    clientCpuMicrosPerEvent: Math.round((used.user + used.system) / events),
    load1: load,
    load1End: loadavg()[0]
  }))
})
