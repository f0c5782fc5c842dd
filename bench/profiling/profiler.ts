import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { sleep } from "../../test/support/upstream/tools.js"

/** Drives cpuProfilePreload.mjs in our server: one `.cpuprofile` per measured window. */
export interface ServerProfiler {
  readonly around: <T>(label: string, measure: () => Promise<T>) => Promise<T>
}

export const serverProfiler = (pid: number, dir: string): ServerProfiler => ({
  around: async (label, measure) => {
    // BENCH_PROFILE_DIR need not exist yet.
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, "label"), label.replace(/[^\w.-]+/g, "-"))
    process.kill(pid, "SIGUSR2")
    try {
      return await measure()
    } finally {
      process.kill(pid, "SIGUSR2")
      // The profile is written by the server's signal handler; give it a moment before the next window.
      await sleep(500)
    }
  }
})
