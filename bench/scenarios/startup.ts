import { rm } from "node:fs/promises"
import { ROOT, tempDir } from "../../test/support/processes.js"
import { temporaryDatabase } from "../caches/database.js"
import type { BenchConfig } from "../config.js"
import type { Cleanups } from "../lib/cleanups.js"
import { summarize } from "../lib/stats.js"
import type { Figure, Target } from "../report/Figure.js"
import { helpSeconds } from "../startup/helpTime.js"
import { type Launch, launchNpmStart } from "../startup/npmStart.js"

const SCENARIO = "7. start-up and idle memory"
const MiB = 2 ** 20
const HELP_RUNS_PER_ROUND = 5

type Engine = "Postgres" | "PGlite, first start" | "PGlite, restart"

const RSS_LIMIT_MIB: Readonly<Record<Engine, number>> = { Postgres: 120, "PGlite, first start": 250, "PGlite, restart": 250 }

/**
 * SPEC §9's start-up and memory bars, ours only (distribution's idle RSS is in scenario 4): `--help` within
 * 1 s; `npm start` answering `/-/health` within 2 s of launch; VmRSS of the idle server 12 s after launch,
 * under 120 MiB on Postgres and under 250 MiB on the embedded PGlite, first start (fresh DATA_DIR, as the
 * README's first command on a fresh clone) and restart (the same DATA_DIR again).
 */
export const startupAndIdleMemory = async (config: BenchConfig, cleanups: Cleanups, log: (line: string) => void): Promise<ReadonlyArray<Figure>> => {
  const help: Array<number> = []
  const launches: Record<Engine, Array<Launch>> = { Postgres: [], "PGlite, first start": [], "PGlite, restart": [] }
  const record = (engine: Engine, round: number, launch: Launch) => {
    launches[engine].push(launch)
    log(`  round ${round} ${engine}: /-/health ${launch.healthSeconds.toFixed(2)} s, ready ${launch.readySeconds.toFixed(2)} s, ` +
      `idle RSS ${(launch.idleRssBytes / MiB).toFixed(0)} MiB`)
  }
  for (let round = 1; round <= config.rounds; round++) {
    for (let run = 0; run < HELP_RUNS_PER_ROUND; run++) help.push(await helpSeconds(ROOT))
    log(`  round ${round} --help: ${help.slice(-HELP_RUNS_PER_ROUND).map((s) => s.toFixed(2)).join(", ")} s`)

    const dataDir = await tempDir("bench-startup-")
    cleanups.add("remove a start-up data directory", () => rm(dataDir, { recursive: true, force: true }))
    const common = { DATA_DIR: dataDir, INITIAL_ROOT_PASSWORD: "bench-root-password" }
    record("Postgres", round, await launchNpmStart(ROOT, { ...common, DATABASE_URL: await temporaryDatabase(cleanups) }, config.idleSeconds))
    await rm(dataDir, { recursive: true, force: true })
    record("PGlite, first start", round, await launchNpmStart(ROOT, common, config.idleSeconds))
    record("PGlite, restart", round, await launchNpmStart(ROOT, common, config.idleSeconds))
  }
  const figure = (metric: string, unit: string, target: Target, values: ReadonlyArray<number>): Figure =>
    ({ scenario: SCENARIO, metric, unit, target, ours: summarize(values), theirs: null })
  const engines: ReadonlyArray<Engine> = ["Postgres", "PGlite, first start", "PGlite, restart"]
  return [
    figure("`dependency-proxy --help`", "s", { kind: "below", value: 1 }, help),
    ...engines.map((engine) =>
      figure(`npm start → /-/health, ${engine}`, "s", { kind: "atMost", value: 2 }, launches[engine].map((l) => l.healthSeconds))),
    ...engines.map((engine) =>
      figure(`npm start → /-/readiness, ${engine}`, "s", { kind: "info" }, launches[engine].map((l) => l.readySeconds))),
    ...engines.map((engine) =>
      figure(`idle RSS ${config.idleSeconds} s after npm start, ${engine}`, "MiB", { kind: "below", value: RSS_LIMIT_MIB[engine] },
        launches[engine].map((l) => l.idleRssBytes / MiB)))
  ]
}
