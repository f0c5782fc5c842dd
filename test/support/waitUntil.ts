import { availableParallelism, loadavg } from "node:os"

/** How many times slower than idle this machine runs now: the 1-minute load average per core, at least 1. */
export const slowdown = (): number => Math.max(1, (loadavg()[0] ?? 0) / availableParallelism())

/** A time limit for what takes `idleMs` on an idle machine, stretched by how loaded the machine is now. */
export const scaledMs = (idleMs: number): number => Math.round(idleMs * slowdown())

/**
 * Polls `check` until it holds. Fails once `idleMs` has passed, scaled by the load while waiting (a loaded
 * 2-core machine starts a process several times slower than an idle one; a fixed limit fails there).
 */
export const waitUntil = async (check: () => boolean | Promise<boolean>, idleMs = 3_000, stepMs = 50, what = "condition"): Promise<void> => {
  const started = Date.now()
  while (!(await check())) {
    const limit = scaledMs(idleMs)
    if (Date.now() - started > limit) throw new Error(`${what} not met within ${limit} ms (load ${slowdown().toFixed(1)}× idle)`)
    await new Promise((resolve) => setTimeout(resolve, stepMs))
  }
}
