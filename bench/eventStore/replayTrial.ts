/**
 * Scenario 5's replay figure alone, on a log of the size asked for, for A/B trials and profiles of
 * `ReadModels.rebuild`: `npx tsx bench/eventStore/replayTrial.ts [events] [rounds]` loads a log as scenario 5
 * does (the first batches through `EventStore.append`, the rest as the identical rows, `directRows.ts`), then
 * times `rebuild()` `rounds` times and prints one JSON line per round: seconds, events, rows, this process's CPU
 * seconds (the replay's client side), the Postgres backends' CPU seconds (`backendCpu.ts`), the process's peak
 * RSS so far, load average at start and end.
 *
 * `REPLAY_DATABASE=name` keeps the log in that database (created and loaded on first use, reused as it is
 * after), so that rounds from two worktrees replay the same log; without it the database is fresh and dropped.
 * `REPLAY_PROFILE=file.cpuprofile` profiles the measured rounds of this process.
 */
import { SqlClient } from "@effect/sql"
import { Effect, Exit, ManagedRuntime, Scope } from "effect"
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector"
import { loadavg } from "node:os"
import { pgLayer } from "../../src/adapters/sql/PostgresClient.js"
import { EventStore, type StreamWrite, systemMetadata } from "../../src/application/ports/EventStore.js"
import { ReadModels } from "../../src/application/ports/ReadModels.js"
import { ADMIN_URL, freshDatabase } from "../../test/support/postgres/postgresTestDatabase.js"
import { backendCpu, backendCpuSince } from "./backendCpu.js"
import { ChainHeads, insertRows } from "./directRows.js"
import { eventCount, EventMix } from "./eventMix.js"
import { benchStoreLayer } from "./eventStoreBench.js"

const events = Number(process.argv[2] ?? "250000")
const rounds = Number(process.argv[3] ?? "1")
const keptDatabase = process.env["REPLAY_DATABASE"]
const profileFile = process.env["REPLAY_PROFILE"]
const metadata = systemMetadata("bench")
/** As scenario 5 at full size: about 2 % of the log through the store, so its read-model writes run too. */
const appendedEvents = Math.max(10_000, Math.round(events / 50))

const session = new Session()
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error === null ? resolve(result) : reject(error))))

const urlOf = (database: string): string => {
  const url = new URL(ADMIN_URL)
  url.pathname = `/${database}`
  return url.toString()
}

/** The kept database's URL, created when missing; whether it was there already. */
const keptDatabaseUrl = (name: string) =>
  Effect.gen(function*() {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) return yield* Effect.dieMessage(`REPLAY_DATABASE must be a plain lower-case name (got ${name})`)
    const sql = yield* SqlClient.SqlClient
    const existing = yield* sql`select 1 from pg_database where datname = ${name}`
    if (existing.length === 0) yield* sql.unsafe(`create database ${name}`)
    return { url: urlOf(name), existed: existing.length > 0 }
  }).pipe(Effect.provide(pgLayer(ADMIN_URL)))

const scope = Effect.runSync(Scope.make())
const database = keptDatabase === undefined
  ? { url: await Effect.runPromise(Scope.extend(freshDatabase, scope)), existed: false }
  : await Effect.runPromise(keptDatabaseUrl(keptDatabase))
// The store as scenario 5 builds it (and `serve` on Postgres), so the trial measures the same replay.
const runtime = ManagedRuntime.make(benchStoreLayer(database.url))

const appendAll = (writes: ReadonlyArray<StreamWrite>) => EventStore.pipe(Effect.flatMap((store) => store.append(writes, metadata, new Date())))

/** Scenario 5's log, loaded as `eventStoreBench.ts` loads it. */
const load = async (): Promise<void> => {
  const mix = new EventMix()
  const heads = new ChainHeads()
  heads.remember(await runtime.runPromise(appendAll(mix.setup())))
  let loaded = 0
  while (loaded < appendedEvents) {
    const recorded = await runtime.runPromise(appendAll(mix.batch(1_000)))
    heads.remember(recorded)
    loaded += recorded.length
  }
  while (loaded < events) {
    const batch = mix.batch(1_000)
    await runtime.runPromise(insertRows(heads.rows(batch, metadata, new Date())))
    loaded += eventCount(batch)
  }
}

const rebuild = ReadModels.pipe(Effect.flatMap((models) => models.rebuild()))

try {
  if (!database.existed) {
    const started = performance.now()
    await load()
    console.error(`loaded the log in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  if (profileFile !== undefined) {
    session.connect()
    await post("Profiler.enable")
    await post("Profiler.setSamplingInterval", { interval: 500 })
    await post("Profiler.start")
  }
  for (let round = 1; round <= rounds; round++) {
    const load1 = loadavg()[0]
    const server = await runtime.runPromise(backendCpu)
    const cpu = process.cpuUsage()
    const started = performance.now()
    const summary = await runtime.runPromise(rebuild)
    const seconds = (performance.now() - started) / 1000
    const usage = process.cpuUsage(cpu)
    const serverSeconds = backendCpuSince(server, await runtime.runPromise(backendCpu)) / 1e6
    console.log(JSON.stringify({
      round,
      seconds: Number(seconds.toFixed(2)),
      events: summary.events,
      rows: summary.rows,
      cpuSeconds: Number(((usage.user + usage.system) / 1e6).toFixed(2)),
      // Postgres's side: CPU of the backends serving the trial's database (10 ms ticks).
      serverCpuSeconds: Number(serverSeconds.toFixed(2)),
      // Peak RSS of this process since it started (KiB in resourceUsage): replay's memory is the page plus the read models.
      maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      load1,
      load1End: loadavg()[0]
    }))
  }
  if (profileFile !== undefined) {
    const result = await post("Profiler.stop")
    if (typeof result === "object" && result !== null && "profile" in result) writeFileSync(profileFile, JSON.stringify(result.profile))
  }
} finally {
  await runtime.dispose()
  await Effect.runPromise(Scope.close(scope, Exit.void))
}
