import { readFile } from "node:fs/promises"

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100

/** utime + stime of a /proc stat line, in seconds; the fields after the `(comm)`, which may hold spaces. */
const cpuSecondsOf = (stat: string): number => {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  // Fields 14 and 15 of proc(5) are the 12th and 13th after the command name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

export interface CpuSeconds {
  /** All threads of the process (Go's runtime threads, Node's main thread, its workers and libuv pool). */
  readonly process: number
  /** The main thread alone (for Node, the event loop: JavaScript and what it waits on). */
  readonly main: number
}

/**
 * CPU seconds a process has used so far: a figure that a shared machine distorts far less than wall time
 * (other agents' load makes a transfer wait, not work more). Subtract two readings for one measurement.
 */
export const readCpu = async (pid: number): Promise<CpuSeconds> => ({
  process: cpuSecondsOf(await readFile(`/proc/${pid}/stat`, "utf8")),
  main: cpuSecondsOf(await readFile(`/proc/${pid}/task/${pid}/stat`, "utf8"))
})

/** Runs `measure` and says the CPU seconds `pid` used meanwhile. */
export const cpuDuring = async <T>(pid: number, measure: () => Promise<T>): Promise<{ readonly result: T; readonly cpu: CpuSeconds }> => {
  const before = await readCpu(pid)
  const result = await measure()
  const after = await readCpu(pid)
  return { result, cpu: { process: after.process - before.process, main: after.main - before.main } }
}

export const formatCpu = (cpu: CpuSeconds): string => `CPU ${cpu.process.toFixed(2)} s (main thread ${cpu.main.toFixed(2)} s)`
