import { chown, readdir, rm } from "node:fs/promises"
import { join } from "node:path"
import { freePort, requireTool, runChecked, runCommand, tempDir } from "../upstream/tools.js"

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, no password (trust on this private instance only). */
  readonly url: string
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
  /** Stops the server for good and removes its files. */
  readonly destroy: () => Promise<void>
}

const ROOT = "/usr/lib/postgresql"

/** The newest server installed: Debian keeps each major version's binaries under /usr/lib/postgresql/<n>/bin. */
const serverBinaries = async (): Promise<string> => {
  const versions = await readdir(ROOT).catch(() => [])
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0]
  if (newest === undefined) throw new Error(`no Postgres server under ${ROOT}; install the Debian package: apt-get install postgresql`)
  return join(ROOT, newest, "bin")
}

/** `id -u`/`id -g` of the account Postgres runs as: it refuses to run as root. */
const postgresAccount = async () => {
  const uid = Number((await runChecked("id", ["-u", "postgres"])).stdout.trim())
  const gid = Number((await runChecked("id", ["-g", "postgres"])).stdout.trim())
  return { uid, gid }
}

/**
 * A Postgres server of the test's own, on a free port with its socket and data in a temp dir, so a test may
 * stop and restart it without touching the machine's shared server that other test files use.
 */
export const startPrivatePostgres = async (): Promise<PrivatePostgres> => {
  const runuser = await requireTool("runuser", "util-linux")
  const bin = await serverBinaries()
  const dir = await tempDir("dp-private-pg-")
  const data = join(dir, "data")
  const { uid, gid } = await postgresAccount()
  await chown(dir, uid, gid)
  const asPostgres = (command: string, args: ReadonlyArray<string>) => runChecked(runuser, ["-u", "postgres", "--", join(bin, command), ...args], { timeoutMs: 60_000 })

  await asPostgres("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "--no-instructions"])
  const port = await freePort()
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = async () => {
    await asPostgres("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "start"])
  }
  const stop = async () => {
    await asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"])
  }
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: async () => {
      // Immediate: a test that failed half-way may have left clients connected; nothing here needs saving.
      await runCommand(runuser, ["-u", "postgres", "--", join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"])
      await rm(dir, { recursive: true, force: true })
    }
  }
}
