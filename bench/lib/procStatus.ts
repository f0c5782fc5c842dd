import { readFile, writeFile } from "node:fs/promises"

const KiB = 1024

/** A `VmRSS:   12345 kB` line of /proc/<pid>/status, in bytes. */
const field = (status: string, name: string): number => {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status)
  if (match?.[1] === undefined) throw new Error(`no ${name} in /proc status`)
  return Number(match[1]) * KiB
}

export interface Memory {
  readonly rssBytes: number
  /** Peak RSS since the process started or since `resetPeak`. */
  readonly peakBytes: number
}

export const readMemory = async (pid: number): Promise<Memory> => {
  const status = await readFile(`/proc/${pid}/status`, "utf8")
  return { rssBytes: field(status, "VmRSS"), peakBytes: field(status, "VmHWM") }
}

/**
 * Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0), so a peak belongs to one
 * measurement, not to whatever the process did before. Without the permission, the sampler still sees peaks.
 */
export const resetPeak = (pid: number): Promise<boolean> =>
  writeFile(`/proc/${pid}/clear_refs`, "5").then(() => true, () => false)

/**
 * Samples VmRSS every `intervalMs` until stopped, and also reads VmHWM at the end: the kernel's peak catches
 * spikes between samples, the samples cover kernels that cannot reset the peak.
 */
export const watchPeakRss = async (pid: number, intervalMs = 100): Promise<{ readonly stop: () => Promise<number> }> => {
  const canReset = await resetPeak(pid)
  let highest = (await readMemory(pid)).rssBytes
  const timer = setInterval(() => {
    readMemory(pid).then((memory) => (highest = Math.max(highest, memory.rssBytes)), () => undefined)
  }, intervalMs)
  return {
    stop: async () => {
      clearInterval(timer)
      const last = await readMemory(pid)
      return Math.max(highest, last.rssBytes, canReset ? last.peakBytes : 0)
    }
  }
}
