import { Effect, Either, Layer, ManagedRuntime } from "effect"
import { migrate } from "../../src/adapters/sql/migrate.js"
import { pgLayer } from "../../src/adapters/sql/PostgresClient.js"
import { PostgresCommitSignal } from "../../src/adapters/sql/PostgresCommitSignal.js"
import * as SqlStore from "../../src/adapters/sql/SqlStore.js"
import { verify } from "../../src/application/audit/verify.js"
import { EventStore, type StreamWrite, systemMetadata } from "../../src/application/ports/EventStore.js"
import { ReadModels } from "../../src/application/ports/ReadModels.js"
import { ProjectorLive } from "../../src/application/projectorLive.js"
import { temporaryDatabase } from "../caches/database.js"
import type { BenchConfig } from "../config.js"
import type { Cleanups } from "../lib/cleanups.js"
import { summarize } from "../lib/stats.js"
import type { Figure } from "../report/Figure.js"
import { auditFigure } from "./auditFigure.js"
import { logOrderEvidence } from "./logOrderEvidence.js"
import { ChainHeads, insertRows } from "./directRows.js"
import { EventMix, eventCount } from "./eventMix.js"

const SCENARIO = "5. event store (Postgres)"
const metadata = systemMetadata("bench")

/**
 * The store as `serve` builds it on Postgres: migrated, with the domain's projector in every append (and for
 * audit) and the commit signal that tells other processes of each commit.
 */
export const benchStoreLayer = (url: string) =>
  SqlStore.layer.pipe(
    Layer.provideMerge(ProjectorLive),
    Layer.provide(PostgresCommitSignal),
    Layer.provideMerge(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(pgLayer(url))))
  )

const appendAll = (writes: ReadonlyArray<StreamWrite>) => EventStore.pipe(Effect.flatMap((store) => store.append(writes, metadata, new Date())))

const rate = (events: number, since: number): number => events / ((performance.now() - since) / 1000)

/** Events/s appended one per append by `writers` concurrent writers, each to a stream of its own, for `seconds`. */
export const singleAppendRate = (mix: EventMix, seconds: number, writers: number) =>
  Effect.gen(function*() {
    const deadline = performance.now() + seconds * 1000
    const started = performance.now()
    const worker = (id: number) =>
      Effect.gen(function*() {
        let appended = 0
        while (performance.now() < deadline) appended += (yield* appendAll([mix.single(id)])).length
        return appended
      })
    const counts = yield* Effect.all(Array.from({ length: writers }, (_, id) => worker(id)), { concurrency: "unbounded" })
    return rate(counts.reduce((sum, n) => sum + n, 0), started)
  })

/**
 * SPEC §9 on a fresh database. The log is loaded to `config.events`: the first `appendedEvents` through
 * `EventStore.append` in batches (its bulk rate is reported), the rest as the same rows written directly,
 * because the store inserts row by row and a million appends would take longer than the whole benchmark.
 * Then single-event appends from concurrent writers, and `replay` (ReadModels.rebuild, what the CLI runs).
 */
export const eventStoreBench = async (config: BenchConfig, cleanups: Cleanups, log: (line: string) => void): Promise<ReadonlyArray<Figure>> => {
  const runtime = ManagedRuntime.make(benchStoreLayer(await temporaryDatabase(cleanups)))
  cleanups.add("close the event store", () => runtime.dispose())
  const mix = new EventMix()
  const heads = new ChainHeads()
  const appendedEvents = Math.min(config.events, Math.max(10_000, Math.round(config.events / 50)))

  heads.remember(await runtime.runPromise(appendAll(mix.setup())))
  let loaded = 0
  let appendMillis = 0
  while (loaded < appendedEvents) {
    // Building the batch is the bench's work, not the store's: outside the clock.
    const batch = mix.batch(config.eventBatch)
    const started = performance.now()
    const recorded = await runtime.runPromise(appendAll(batch))
    appendMillis += performance.now() - started
    heads.remember(recorded)
    loaded += recorded.length
  }
  const bulkRate = loaded / (appendMillis / 1000)
  log(`  appended ${loaded} events in ${config.eventBatch}-event batches: ${bulkRate.toFixed(0)} events/s`)

  const directStarted = performance.now()
  let direct = 0
  while (loaded < config.events) {
    const batch = mix.batch(config.eventBatch)
    await runtime.runPromise(insertRows(heads.rows(batch, metadata, new Date())))
    loaded += eventCount(batch)
    direct += eventCount(batch)
  }
  log(`  wrote ${direct} more events as rows in ${((performance.now() - directStarted) / 1000).toFixed(0)} s; log: ${loaded} events`)

  const appendRates: Array<number> = []
  for (let round = 1; round <= config.rounds; round++) {
    appendRates.push(await runtime.runPromise(singleAppendRate(mix, config.appendSeconds, config.appendConcurrency)))
    log(`  round ${round}: ${appendRates.at(-1)?.toFixed(0)} single-event appends/s from ${config.appendConcurrency} writers`)
  }

  const replaySeconds: Array<number> = []
  let replayedEvents = 0
  for (let round = 1; round <= config.rounds; round++) {
    const started = performance.now()
    const rebuilt = await runtime.runPromise(ReadModels.pipe(Effect.flatMap((models) => models.rebuild())))
    replaySeconds.push((performance.now() - started) / 1000)
    replayedEvents = rebuilt.events
    log(`  round ${round}: replayed ${rebuilt.events} events into ${rebuilt.rows} rows in ${replaySeconds.at(-1)?.toFixed(1)} s`)
  }

  // `audit verify` on the same log: every hash chain recomputed, the log replayed in memory and compared. It
  // must read every event replay read (nothing appends meanwhile). A failure is a failed figure, reported with
  // the rest of the run, not the end of it (auditFigure).
  const verifyStarted = performance.now()
  const verified = await runtime.runPromise(Effect.either(verify))
  const verifySeconds = (performance.now() - verifyStarted) / 1000
  const audit = auditFigure(SCENARIO, verified, replayedEvents, verifySeconds)
  for (const line of audit.lines) log(line)
  if (audit.figure.ours.median < 1) {
    const broken = Either.isRight(verified) ? verified.right.chainBreak?.streamId ?? null : null
    for (const line of await runtime.runPromise(logOrderEvidence(broken))) log(line)
  }

  const events = `${(loaded / 1e6).toFixed(2)} M events`
  return [
    { scenario: SCENARIO, metric: `replay (rebuild read models), ${events}`, unit: "s", ours: summarize(replaySeconds), theirs: null, target: { kind: "below", value: 60 } },
    { scenario: SCENARIO, metric: `append, 1 event per append, ${config.appendConcurrency} writers`, unit: "events/s", ours: summarize(appendRates), theirs: null, target: { kind: "atLeast", value: 2000 } },
    { scenario: SCENARIO, metric: `append, ${config.eventBatch}-event batches`, unit: "events/s", ours: summarize([bulkRate]), theirs: null, target: { kind: "atLeast", value: 20_000 } },
    { scenario: SCENARIO, metric: `audit verify, ${events}`, unit: "s", ours: summarize([verifySeconds]), theirs: null, target: { kind: "info" } },
    audit.figure
  ]
}
