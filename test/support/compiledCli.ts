import { createRequire } from "node:module"
import { join, resolve } from "node:path"
import { runChecked } from "./upstream/tools.js"

const ROOT = resolve(import.meta.dirname, "../..")

/**
 * Brings `dist/` up to date with `src/` (`tsc -b`: well under a second when nothing changed). Tests and the
 * bench start the compiled CLI, so they run this first: a stale build must never be what they test (ADR 0010).
 */
export const buildCompiledCli = async (): Promise<void> => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  await runChecked(process.execPath, [tsc, "-b", join(ROOT, "tsconfig.build.json")], { timeoutMs: 300_000 })
}

/** vitest's globalSetup: build once before any test file runs. */
export default buildCompiledCli
