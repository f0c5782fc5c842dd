import { execFile } from "node:child_process"
import { join } from "node:path"

/** Wall time of `dependency-proxy --help` (the installed command: node running bin/), in seconds. */
export const helpSeconds = (root: string): Promise<number> =>
  new Promise((done, fail) => {
    const started = performance.now()
    execFile(process.execPath, [join(root, "bin/dependency-proxy.mjs"), "--help"], { cwd: root }, (error, stdout) => {
      if (error !== null) return fail(error)
      if (!stdout.startsWith("usage: dependency-proxy")) return fail(new Error(`--help printed ${JSON.stringify(stdout.slice(0, 80))}`))
      done((performance.now() - started) / 1000)
    })
  })
