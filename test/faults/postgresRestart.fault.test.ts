import { rm } from "node:fs/promises"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { leakedSecrets, splitLines, warnings } from "../support/faults/logLines.js"
import { type PrivatePostgres, startPrivatePostgres } from "../support/faults/privatePostgres.js"
import { explain, jsonNumber, jsonString, pullClient, receive } from "../support/faults/registryClient.js"
import { cli, type RunningServer, startServer, tempDir } from "../support/processes.js"
import { startUpstream, type Upstream } from "../support/upstream/fixture.js"
import { sleep } from "../support/upstream/tools.js"
import { scaledMs } from "../support/waitUntil.js"

const ROOT_PASSWORD = "root-password-Pg9x"
const WORKERS = 3

type Phase = "before" | "outage" | "after"
interface Outcome {
  readonly phase: Phase
  readonly what: "create group" | "sign in" | "pull manifest"
  readonly status: number
}

/**
 * `serve` on a Postgres of its own that is stopped and started again while clients keep creating groups,
 * signing in and pulling. Stopped, left down until clients have met the outage, then started: a plain
 * `pg_ctl restart` can be over before any request notices. The machine's shared Postgres is never touched.
 */
describe("Postgres restarted under load", () => {
  let postgres: PrivatePostgres
  let upstream: Upstream
  let server: RunningServer
  let dataDir: string
  let env: Readonly<Record<string, string>>
  // Set by the first test, read by the second: what the database went through.
  let restarted = false
  let apiToken = ""

  beforeAll(async () => {
    postgres = await startPrivatePostgres()
    upstream = await startUpstream()
    await upstream.images.singleArch("library/app", "1")
    dataDir = await tempDir("dp-pg-restart-")
    env = { DATABASE_URL: postgres.url, DATA_DIR: dataDir, UPSTREAM_URL: upstream.url, INITIAL_ROOT_PASSWORD: ROOT_PASSWORD }
    server = await startServer(env)
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    await upstream?.stopAll()
    await postgres?.destroy()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  it("answers 503 while the database is away (never 500, never a crash), recovers without a restart, and the log stays intact", async () => {
    const grant = await receive(`${server.url}/oauth/token`, { method: "POST", body: new URLSearchParams({ grant_type: "password", username: "root", password: ROOT_PASSWORD }) })
    expect(grant.status, explain(grant)).toBe(200)
    apiToken = jsonString(grant, "access_token") ?? ""
    const root = pullClient(server.url, "root", ROOT_PASSWORD)

    let phase: Phase = "before"
    let running = true
    const outcomes: Array<Outcome> = []
    const record = (started: Phase, what: Outcome["what"], status: number) => {
      // A request that began before the outage may end in it: it is judged by the later phase.
      outcomes.push({ phase: started === "before" && phase !== "before" ? phase : started, what, status })
    }
    // Each round appends events three ways: a REST write, then a pull caching the manifest for the new group.
    const worker = async (id: number) => {
      for (let round = 0; running; round++) {
        const started = phase
        const path = `load-${id}-${round}`
        const created = await receive(`${server.url}/api/v4/groups`, {
          method: "POST",
          headers: { authorization: `Bearer ${apiToken}` },
          body: new URLSearchParams({ name: path, path })
        })
        record(started, "create group", created.status)
        const signedIn = await root.auth(created.status === 201 ? path : "load-0-0", "app")
        record(started, "sign in", signedIn.status)
        if (created.status === 201) record(started, "pull manifest", (await root.pull(path, "app", "manifests", "1")).status)
        await sleep(20)
      }
    }
    const load = Promise.all(Array.from({ length: WORKERS }, (_, id) => worker(id)))
    const outcomesIn = (wanted: Phase) => outcomes.filter((o) => o.phase === wanted)

    try {
      while (outcomesIn("before").length < 3 * WORKERS) await sleep(50)
      phase = "outage"
      await postgres.stop()
      const deadline = Date.now() + scaledMs(15_000)
      while (!outcomesIn("outage").some((o) => o.status === 503) && Date.now() < deadline) await sleep(50)
      const readinessDuringOutage = await receive(`${server.url}/-/readiness`)
      await postgres.start()
      restarted = true
      // Recovered once readiness says so; every request begun after that must succeed.
      const recovery = Date.now() + scaledMs(30_000)
      while ((await receive(`${server.url}/-/readiness`)).status !== 200 && Date.now() < recovery) await sleep(100)
      phase = "after"
      while (outcomesIn("after").filter((o) => o.what === "pull manifest").length < 3 * WORKERS) await sleep(50)
      expect(readinessDuringOutage.status, explain(readinessDuringOutage)).toBe(503)
    } finally {
      running = false
      await load
    }

    const summary = JSON.stringify(outcomes.reduce<Record<string, number>>((counts, o) => ({ ...counts, [`${o.phase} ${o.what} ${o.status}`]: (counts[`${o.phase} ${o.what} ${o.status}`] ?? 0) + 1 }), {}))
    expect(outcomes.every((o) => [200, 201, 503].includes(o.status)), summary).toBe(true)
    expect(outcomesIn("before").every((o) => o.status !== 503), summary).toBe(true)
    expect(outcomesIn("outage").some((o) => o.status === 503), summary).toBe(true)
    expect(outcomesIn("after").every((o) => o.status !== 503), summary).toBe(true)
    expect(server.process.exitCode, "the server process is still running").toBeNull()
    expect(server.process.signalCode).toBeNull()

    const log = splitLines(server.output())
    expect(warnings(log).length, "the outage is in the log").toBeGreaterThanOrEqual(1)
    expect(leakedSecrets(log, [ROOT_PASSWORD, apiToken, ...root.issuedTokens()])).toEqual([])

    // The event log came through whole: every hash chain intact, and the projections replayed from the log
    // equal to the live ones (what `replay` would rebuild is what the requests wrote).
    const verified = await cli(["audit", "verify"], env)
    expect(verified.code, verified.stderr).toBe(0)
    const report: unknown = JSON.parse(verified.stdout)
    expect(report).toMatchObject({ ok: true, chainBreak: null, projectionDifference: null })
  }, 120_000)

  it("after the restart it still hears other processes' commits: a token revoked from the command line is refused once the signal has reconnected", async () => {
    expect(restarted, "the previous test restarted Postgres").toBe(true)
    const self = await receive(`${server.url}/api/v4/personal_access_tokens/self`, { headers: { "private-token": apiToken } })
    expect(self.status, explain(self)).toBe(200)
    const revoked = await cli(["admin", "revoke-token", "--id", String(jsonNumber(self, "id"))], env)
    expect(revoked.code, revoked.stderr).toBe(0)
    // No request of the server's own appends anything in between: only the commit notification can tell it.
    // The LISTEN connection died with the database; the signal notices within its probe window (about ten
    // seconds) and resubscribes, catching up. Without that the token would stay valid here for good.
    const deadline = Date.now() + scaledMs(30_000)
    let refused = await receive(`${server.url}/api/v4/personal_access_tokens/self`, { headers: { "private-token": apiToken } })
    while (refused.status === 200 && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 250))
      refused = await receive(`${server.url}/api/v4/personal_access_tokens/self`, { headers: { "private-token": apiToken } })
    }
    expect(refused.status, explain(refused)).toBe(401)
  }, 60_000)
})
