import { type ChildProcess, spawn } from "node:child_process"
import { readFile } from "node:fs/promises"
import { freePort } from "../../test/support/processes.js"
import { waitUntil } from "../../test/support/waitUntil.js"
import { readMemory } from "../lib/procStatus.js"

export interface Launch {
  /** Seconds from spawning `npm start` to the first 200 from `/-/health`. */
  readonly healthSeconds: number
  /** … and from `/-/readiness` (database started and migrated, root bootstrapped, routes up). */
  readonly readySeconds: number
  /**
   * VmRSS of the server process (not npm's), nothing else done: `idleSeconds` after the launch, and at least
   * `SETTLED_SECONDS` after it became ready (on a loaded machine start-up alone can take longer than 12 s).
   */
  readonly idleRssBytes: number
}

const children = async (pid: number): Promise<ReadonlyArray<number>> =>
  (await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "")).split(" ").filter((s) => s !== "").map(Number)

const commandLine = async (pid: number): Promise<ReadonlyArray<string>> =>
  (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0")

/** npm runs the start script through a shell: the server is the descendant where node runs our bin. */
const serverUnder = async (pid: number): Promise<number | null> => {
  const [program = "", ...args] = await commandLine(pid)
  if (program.endsWith("node") && args.some((arg) => arg.endsWith("dependency-proxy.mjs"))) return pid
  for (const child of await children(pid)) {
    const found = await serverUnder(child)
    if (found !== null) return found
  }
  return null
}

const SETTLED_SECONDS = 5

const answers = (url: string) => fetch(url).then((r) => r.status === 200, () => false)

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

const exited = (child: ChildProcess) => new Promise<void>((done) => (hasExited(child) ? done() : child.once("exit", () => done())))

/**
 * The README's first command, as a user runs it: `npm start` in the repository with `env`, polled every 20 ms
 * from the moment it is spawned; then left idle until its memory is read (see `Launch`), then SIGTERM.
 */
export const launchNpmStart = async (root: string, env: Readonly<Record<string, string>>, idleSeconds: number): Promise<Launch> => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const launched = performance.now()
  const npm = spawn("npm", ["start", "--silent"], {
    cwd: root,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true
  })
  let stderr = ""
  npm.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  const since = () => (performance.now() - launched) / 1000
  try {
    const answering = (path: string) => () => {
      if (hasExited(npm)) throw new Error(`npm start exited (${npm.exitCode ?? npm.signalCode}): ${stderr}`)
      return answers(`${base}${path}`)
    }
    await waitUntil(answering("/-/health"), 60_000, 20, "npm start answering /-/health")
    const healthSeconds = since()
    await waitUntil(answering("/-/readiness"), 120_000, 20, "npm start ready")
    const readySeconds = since()
    const npmPid = npm.pid
    if (npmPid === undefined) throw new Error("npm start has no pid")
    const server = await serverUnder(npmPid)
    if (server === null) throw new Error("found no dependency-proxy process under npm start")
    const idleAt = Math.max(idleSeconds, readySeconds + SETTLED_SECONDS)
    await new Promise((done) => setTimeout(done, Math.max(0, idleAt - since()) * 1000))
    const idleRssBytes = (await readMemory(server)).rssBytes
    process.kill(server, "SIGTERM")
    await waitUntil(() => hasExited(npm), 30_000, 50, "npm start stopping after SIGTERM")
    return { healthSeconds, readySeconds, idleRssBytes }
  } finally {
    // Whatever happened, nothing of this launch outlives it.
    if (!hasExited(npm) && npm.pid !== undefined) process.kill(-npm.pid, "SIGKILL")
    await exited(npm)
  }
}
