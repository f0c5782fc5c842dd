import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { freePort } from "./upstream/tools.js"
import { scaledMs, waitUntil } from "./waitUntil.js"

export const ROOT = resolve(import.meta.dirname, "../..")
const BIN = join(ROOT, "bin/dependency-proxy.mjs")

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment without anything of ours that could leak in from the developer's shell. */
const baseEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env }
  for (const name of ["PORT", "DATA_DIR", "DATABASE_URL", "EXTERNAL_URL", "ENCRYPTION_KEY", "INITIAL_ROOT_PASSWORD", "UPSTREAM_URL"]) {
    delete env[name]
  }
  return env
}

/**
 * Runs the installed command (`bin/dependency-proxy.mjs`, the compiled CLI that vitest's global setup builds)
 * as a user would, and waits for it: 60 s on an idle machine, more under load, before it is killed.
 */
export const cli = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>): Promise<CliResult> =>
  new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...baseEnv(), ...env }, timeout: scaledMs(60_000) }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
      done({ code, stdout, stderr })
    })
  })

export const json = (result: CliResult): unknown => {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

export { freePort }

export const tempDir = (prefix: string) => mkdtemp(join(tmpdir(), prefix))

export interface RunningServer {
  readonly url: string
  readonly process: ChildProcess
  readonly output: () => string
  /** SIGTERM, then the exit code. */
  readonly stop: () => Promise<number | null>
}

const STOP_PATIENCE_MS = 60_000

/** `dependency-proxy serve` on a free port, as soon as it is spawned (see `startServer` to wait until it is ready). */
export const launchServer = async (env: Readonly<Record<string, string>>): Promise<RunningServer> => {
  const port = await freePort()
  const child = spawn(process.execPath, [BIN, "serve"], {
    cwd: ROOT,
    env: { ...baseEnv(), HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)))
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    output: () => output,
    stop: async () => {
      child.kill("SIGTERM")
      // `serve` bounds its own shutdown (SHUTDOWN_TIMEOUT, 25 s by default): one that outlives this is a defect,
      // reported with the server's last words rather than as a hook that timed out in silence.
      let overdue: NodeJS.Timeout | undefined
      const killed = new Promise<never>((_, fail) => {
        overdue = setTimeout(() => {
          child.kill("SIGKILL")
          fail(new Error(`dependency-proxy serve did not exit within ${STOP_PATIENCE_MS / 1000} s of SIGTERM; its last output:\n${output.slice(-3000)}`))
        }, STOP_PATIENCE_MS)
      })
      return Promise.race([exited, killed]).finally(() => clearTimeout(overdue))
    }
  }
}

/**
 * `dependency-proxy serve` on a free port; resolves once `/-/readiness` says it is ready (`/-/health` answers
 * from the first moments, while the database is still starting).
 */
export const startServer = async (env: Readonly<Record<string, string>>): Promise<RunningServer> => {
  const server = await launchServer(env)
  const ready = async () => {
    if (server.process.exitCode !== null) throw new Error(`server exited with ${server.process.exitCode}`)
    return fetch(`${server.url}/-/readiness`).then((r) => r.status === 200, () => false)
  }
  await waitUntil(ready, 60_000, 100, "server ready").catch((error: unknown) => {
    server.process.kill("SIGKILL")
    throw new Error(`${String(error)}: ${server.output()}`)
  })
  return server
}
