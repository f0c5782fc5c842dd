import { cpus, freemem, loadavg, totalmem } from "node:os"
import { runCommand } from "../../test/support/upstream/tools.js"

export interface Machine {
  readonly cores: number
  readonly cpuModel: string
  readonly memoryGiB: number
  readonly freeMemoryGiB: number
  /** 1, 5 and 15 minute load averages. */
  readonly loadAverage: readonly [number, number, number]
  readonly node: string
  readonly registry: string
  readonly postgres: string
  readonly wrk: string
}

const GiB = 1024 ** 3

const firstLine = async (command: string, args: ReadonlyArray<string>): Promise<string> => {
  const result = await runCommand(command, args).catch(() => null)
  const text = `${result?.stdout ?? ""}${result?.stderr ?? ""}`.trim()
  return text.split("\n")[0] ?? "unknown"
}

const round = (value: number): number => Math.round(value * 100) / 100

export const describeMachine = async (): Promise<Machine> => {
  const [one = 0, five = 0, fifteen = 0] = loadavg()
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: round(totalmem() / GiB),
    freeMemoryGiB: round(freemem() / GiB),
    loadAverage: [round(one), round(five), round(fifteen)],
    node: process.version,
    registry: await firstLine("docker-registry", ["--version"]),
    postgres: await firstLine("psql", ["--version"]),
    wrk: await firstLine("wrk", ["--version"])
  }
}

export const machineLines = (machine: Machine, label: string): ReadonlyArray<string> => [
  `${label}: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB memory (${machine.freeMemoryGiB} GiB free)`,
  `load average ${machine.loadAverage.join(", ")} (1, 5, 15 min)`,
  `node ${machine.node}; ${machine.registry}; ${machine.postgres}; ${machine.wrk}`
]
