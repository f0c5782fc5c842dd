/**
 * Scenario 5's two append figures alone, on a small log, for A/B trials and profiles of the store's append path:
 * `npx tsx bench/eventStore/appendTrial.ts [seconds] [batches]` prints one JSON line: single-event appends/s from
 * 16 writers, events/s in 1,000-event batches, this process's CPU µs per event in each (the store's client side,
 * less sensitive to a shared machine than rates; the kernel's share of it), the Postgres backends' CPU µs per
 * event (`backendCpu.ts`), load average. `APPEND_PROFILE=file.cpuprofile` profiles the
 * measured windows (both) of this process.
 */
import { loadavg } from "node:os"
import { backendCpu, backendCpuSince } from "./backendCpu.js"
import { EventMix } from "./eventMix.js"
import { singleAppendRate } from "./eventStoreBench.js"
import { appendAll, withTrialStore } from "./trialRuntime.js"

const seconds = Number(process.argv[2] ?? "5")
const batches = Number(process.argv[3] ?? "10")
/** User and system CPU of this process, µs: what the store's client side costs, whatever else loads the machine. */
const cpuMicros = (usage: NodeJS.CpuUsage): number => usage.user + usage.system

await withTrialStore(process.env["APPEND_PROFILE"], async ({ runtime, startProfile, stopProfile }) => {
  const mix = new EventMix()
  await runtime.runPromise(appendAll(mix.setup()))
  await runtime.runPromise(appendAll(mix.batch(1_000)))
  await startProfile()
  const load = loadavg()[0]
  const batchServer = await runtime.runPromise(backendCpu)
  let batched = 0
  const batchStarted = performance.now()
  const batchCpu = process.cpuUsage()
  for (let i = 0; i < batches; i++) batched += (await runtime.runPromise(appendAll(mix.batch(1_000)))).length
  const batchRate = batched / ((performance.now() - batchStarted) / 1000)
  const batchUsage = process.cpuUsage(batchCpu)
  const batchCpuPerEvent = cpuMicros(batchUsage) / batched

  const batchServerPerEvent = backendCpuSince(batchServer, await runtime.runPromise(backendCpu)) / batched
  const singleServer = await runtime.runPromise(backendCpu)
  const singleCpu = process.cpuUsage()
  const singleStarted = performance.now()
  const singleRate = await runtime.runPromise(singleAppendRate(mix, seconds, 16))
  const singleEvents = singleRate * ((performance.now() - singleStarted) / 1000)
  const singleUsage = process.cpuUsage(singleCpu)
  const singleCpuPerEvent = cpuMicros(singleUsage) / singleEvents
  const singleServerPerEvent = backendCpuSince(singleServer, await runtime.runPromise(backendCpu)) / singleEvents
  await stopProfile()
  console.log(JSON.stringify({
    singleRate: Math.round(singleRate),
    singleCpuMicrosPerEvent: Math.round(singleCpuPerEvent),
    batchRate: Math.round(batchRate),
    batchCpuMicrosPerEvent: Math.round(batchCpuPerEvent),
    // The kernel's share (socket writes and reads, on loopback TCP the receiving side's work too).
    singleSystemMicrosPerEvent: Math.round(singleUsage.system / singleEvents),
    batchSystemMicrosPerEvent: Math.round(batchUsage.system / batched),
    // Postgres's side: CPU of the backends serving the trial's database (10 ms ticks, so coarse for short runs).
    singleServerMicrosPerEvent: Math.round(singleServerPerEvent),
    batchServerMicrosPerEvent: Math.round(batchServerPerEvent),
    load1: load,
    load1End: loadavg()[0]
  }))
})
