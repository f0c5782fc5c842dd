import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { type AccessLogEntry, type RequestFilter, matchesFilter, parseAccessLogLine } from "./accessLog.js"
import { registryConfigYaml } from "./registryConfig.js"
import { freePort, requireTool, sleep } from "./tools.js"

export interface RegistryProcessOptions {
  /** Holds config.yml and the storage directory; kept across restarts. */
  readonly dir: string
  readonly realm: string
  readonly service: string
  readonly issuer: string
  readonly certPath: string
}

/** Requests the registry served. Counting helpers skip 401 challenges unless `status` says otherwise. */
export interface RegistryProcess {
  readonly url: string
  /** `127.0.0.1:<port>`, as it appears in image references. */
  readonly host: string
  readonly port: number
  readonly storageDir: string
  readonly isRunning: () => boolean
  /** SIGTERM (distribution exits at once), then waits for the exit and the last output. */
  readonly stop: () => Promise<void>
  /** Runs the registry again on the same port and storage; resolves once `/v2/` answers. */
  readonly start: () => Promise<void>
  /** Everything the process printed (all runs), for diagnosing failures. */
  readonly output: () => string
  /** Access-log entries of all runs, after making sure every request already answered has been logged. */
  readonly accessLog: () => Promise<ReadonlyArray<AccessLogEntry>>
  /** Forgets the entries so far, so a test can count only what comes next. */
  readonly clearAccessLog: () => Promise<void>
  readonly countRequests: (filter: RequestFilter) => Promise<number>
  readonly countManifestHeads: (repository: string, reference?: string) => Promise<number>
  readonly countManifestGets: (repository: string, reference?: string) => Promise<number>
  readonly countBlobGets: (digest: string, repository?: string) => Promise<number>
}

// Requests the fixture itself makes carry this User-Agent and are left out of the access log it reports.
const OWN_AGENT = "upstream-fixture"
const isOwn = (entry: AccessLogEntry): boolean => entry.userAgent.startsWith(OWN_AGENT)
const notChallenge = (entry: AccessLogEntry): boolean => entry.status !== 401

const ownRequest = (url: string): Promise<Response> =>
  fetch(url, { headers: { "user-agent": `${OWN_AGENT}/${randomUUID()}` }, signal: AbortSignal.timeout(2_000) })

export const startRegistryProcess = async (options: RegistryProcessOptions): Promise<RegistryProcess> => {
  const binary = await requireTool("docker-registry", "docker-registry")
  const port = await freePort()
  const storageDir = join(options.dir, "storage")
  await mkdir(storageDir, { recursive: true })
  const configPath = join(options.dir, "config.yml")
  await writeFile(configPath, registryConfigYaml({ port, storageDir, realm: options.realm, service: options.service, issuer: options.issuer, certPath: options.certPath }))
  const url = `http://127.0.0.1:${port}`

  let output = ""
  let entries: Array<AccessLogEntry> = []
  let child: ChildProcess | null = null
  let exited: Promise<void> = Promise.resolve()

  const launch = (): void => {
    // REGISTRY_* variables override the config file; a developer's shell must not change the fixture.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("REGISTRY_")))
    const spawned = spawn(binary, ["serve", configPath], { env, stdio: ["ignore", "pipe", "pipe"] })
    // An orphaned registry would hold its port after a crashed test run.
    const killOnExit = (): void => void spawned.kill("SIGKILL")
    process.once("exit", killOnExit)
    let pending = ""
    spawned.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8")
      output += text
      pending += text
      const lines = pending.split("\n")
      pending = lines.pop() ?? ""
      for (const line of lines) {
        const entry = parseAccessLogLine(line)
        if (entry !== undefined) entries.push(entry)
      }
    })
    spawned.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    // "close" (not "exit") waits for the pipes to drain, so no access-log line is lost on stop.
    exited = new Promise((done) =>
      spawned.once("close", () => {
        process.off("exit", killOnExit)
        if (child === spawned) child = null
        done()
      })
    )
    child = spawned
  }

  const waitReady = async (): Promise<void> => {
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline) {
      if (child === null) throw new Error(`docker-registry exited during startup:\n${output}`)
      // 401 is the normal answer to an anonymous /v2/: the registry is up and its token auth is on.
      const status = await ownRequest(`${url}/v2/`).then(
        (response) => response.status,
        () => 0
      )
      if (status === 401) return
      if (status !== 0) throw new Error(`docker-registry answered /v2/ with ${status}, expected 401:\n${output}`)
      await sleep(50)
    }
    throw new Error(`docker-registry did not answer on ${url} within 15 s:\n${output}`)
  }

  const stop = async (): Promise<void> => {
    const running = child
    if (running === null) return
    running.kill("SIGTERM")
    const timeout = setTimeout(() => running.kill("SIGKILL"), 5_000)
    await exited
    clearTimeout(timeout)
  }

  const start = async (): Promise<void> => {
    if (child !== null) return
    launch()
    await waitReady()
  }

  /**
   * The log line is written after the response, and reaches us through a pipe, so a test that just got its
   * answer may not see the line yet. A marker request sent afterwards is logged after it; once the marker's
   * line has arrived, every earlier line has too.
   */
  const settle = async (): Promise<void> => {
    if (child === null) return exited
    const marker = `/upstream-fixture-sync/${randomUUID()}`
    const answered = await ownRequest(`${url}${marker}`).then(
      () => true,
      () => false
    )
    if (!answered) return
    const deadline = Date.now() + 2_000
    while (!entries.some((entry) => entry.path === marker)) {
      if (Date.now() > deadline) throw new Error(`access-log marker ${marker} never appeared in docker-registry's stdout`)
      await sleep(5)
    }
  }

  const accessLog = async (): Promise<ReadonlyArray<AccessLogEntry>> => {
    await settle()
    return entries.filter((entry) => !isOwn(entry))
  }

  const countRequests = async (filter: RequestFilter): Promise<number> => (await accessLog()).filter((entry) => matchesFilter(entry, filter)).length

  const countAuthorized = async (filter: RequestFilter): Promise<number> =>
    (await accessLog()).filter((entry) => matchesFilter(entry, filter) && (filter.status !== undefined || notChallenge(entry))).length

  const withReference = (filter: RequestFilter, reference: string | undefined): RequestFilter =>
    reference === undefined ? filter : { ...filter, reference }

  launch()
  await waitReady()

  return {
    url,
    host: `127.0.0.1:${port}`,
    port,
    storageDir,
    isRunning: () => child !== null,
    stop,
    start,
    output: () => output,
    accessLog,
    clearAccessLog: async () => {
      await settle()
      entries = []
    },
    countRequests,
    countManifestHeads: (repository, reference) => countAuthorized(withReference({ method: "HEAD", kind: "manifest", repository }, reference)),
    countManifestGets: (repository, reference) => countAuthorized(withReference({ method: "GET", kind: "manifest", repository }, reference)),
    countBlobGets: (digest, repository) =>
      countAuthorized(repository === undefined ? { method: "GET", kind: "blob", reference: digest } : { method: "GET", kind: "blob", reference: digest, repository })
  }
}
