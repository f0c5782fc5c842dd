import { readFileSync } from "node:fs"
import { open, readFile, unlink } from "node:fs/promises"
import { hostname } from "node:os"
import { mkdir } from "node:fs/promises"
import { dirname } from "node:path"
import * as SqlError from "@effect/sql/SqlError"
import { Effect } from "effect"

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return typeof error === "object" && error !== null && "code" in error && error.code === "EPERM"
  }
}

const codeOf = (error: unknown): unknown =>
  typeof error === "object" && error !== null && "code" in error ? error.code : undefined

/** A file already gone is what we wanted; any other failure is rethrown. */
const ignoreMissing = <A>(fallback: A) => (error: unknown): A => {
  if (codeOf(error) === "ENOENT") return fallback
  throw error
}

/** The lock files this process holds now. */
const heldHere = new Set<string>()

/**
 * Where a lock was taken: the host's name (a container's own) and the kernel's boot id. A container restarted
 * keeps both; another container (`docker run … admin …` beside a running `serve`, each pid 1) has another
 * host name.
 */
const here = (() => {
  let boot = ""
  try {
    boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
  } catch (error) {
    // Not Linux: the host name alone says where.
    if (codeOf(error) !== "ENOENT") throw error
  }
  return `host=${hostname()} boot=${boot}`
})()

interface Holder {
  readonly pid: number
  /** `here` of the process that wrote it; empty in a file written before it was recorded. */
  readonly where: string
}

const holderIn = (text: string): Holder => {
  const [pid = "", where = ""] = text.trim().split("\n")
  return { pid: Number(pid.trim()), where: where.trim() }
}

/**
 * Whether a lock file's holder may still be using the directory. A live pid is taken at its word, with one
 * exception: our own pid, in a file this process did not write, written in this same container and boot, is
 * a process before us (a container restarted: the server is pid 1 again), left behind by a kill. Our pid from
 * anywhere else (another container, or a file that does not say) is another process: refused.
 */
const heldByAnother = (path: string, holder: Holder): boolean => {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false
  if (holder.pid !== process.pid) return isAlive(holder.pid)
  return heldHere.has(path) || holder.where !== here
}

/** Creates the lock file holding our pid; false if another live process holds it. */
const tryLock = async (path: string): Promise<{ readonly locked: true } | { readonly locked: false; readonly holder: number }> => {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx", 0o600)
      await handle.writeFile(`${process.pid}\n${here}\n`)
      await handle.close()
      heldHere.add(path)
      return { locked: true }
    } catch (error) {
      if (codeOf(error) !== "EEXIST") throw error
      // The holder may remove the file between our open and read: an empty read means "try again".
      const holder = holderIn(await readFile(path, "utf8").catch(ignoreMissing("")))
      if (heldByAnother(path, holder)) return { locked: false, holder: holder.pid }
      // Left behind by a process that died (kill -9, or a container restarted with the same pid): take it over.
      await unlink(path).catch(ignoreMissing(undefined))
    }
  }
  return { locked: false, holder: 0 }
}

/**
 * PGlite is one Postgres session in one process: two processes opening the same directory would corrupt it.
 * A lock file beside the directory (`<dir>.lock`, holding the pid) makes the second one fail with a message
 * that says what to do, and is removed when the database closes.
 */
export const lockDataDir = (dataDir: string) => {
  const path = `${dataDir.replace(/\/+$/, "")}.lock`
  return Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        await mkdir(dirname(path), { recursive: true })
        return tryLock(path)
      },
      catch: (cause) => new SqlError.SqlError({ cause, message: `PGlite: cannot create the lock file ${path}` })
    }).pipe(
      Effect.flatMap((result) =>
        result.locked
          ? Effect.succeed(path)
          : Effect.fail(
            new SqlError.SqlError({
              cause: result,
              message: `the embedded database ${dataDir} is in use by process ${result.holder}; stop it, or set DATABASE_URL to share a Postgres server`
            })
          )
      )
    ),
    (lock) => Effect.promise(() => unlink(lock).catch(ignoreMissing(undefined))).pipe(Effect.ensuring(Effect.sync(() => heldHere.delete(lock))))
  )
}
