/**
 * Everything a run started (processes, temp dirs, databases), undone in reverse order. Every step runs even
 * if an earlier one fails, so a broken stop never leaves a registry holding its port or a database behind.
 */
export class Cleanups {
  private readonly steps: Array<{ readonly what: string; readonly run: () => Promise<unknown> }> = []

  add(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run })
  }

  async runAll(): Promise<void> {
    const failures: Array<string> = []
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      await step.run().catch((error: unknown) => void failures.push(`${step.what}: ${String(error)}`))
    }
    if (failures.length > 0) process.stderr.write(`bench: cleanup problems:\n  ${failures.join("\n  ")}\n`)
  }
}

/** Runs `body`, then the cleanups, also on Ctrl-C or SIGTERM; the exit code says whether the body succeeded. */
export const withCleanups = async (body: (cleanups: Cleanups) => Promise<void>): Promise<number> => {
  const cleanups = new Cleanups()
  let interrupted = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return
    interrupted = true
    process.stderr.write(`bench: ${signal}, cleaning up\n`)
    void cleanups.runAll().finally(() => process.exit(130))
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  try {
    await body(cleanups)
    return 0
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return 1
  } finally {
    if (!interrupted) await cleanups.runAll()
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
  }
}
