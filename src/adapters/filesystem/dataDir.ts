import { constants } from "node:fs"
import { access, chmod, lstat, mkdir, opendir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Data, Effect } from "effect"

/** The data directory could not be prepared or read; start-up stops with this message. */
export class DataDirError extends Data.TaggedError("DataDirError")<{ readonly message: string }> {}

const describe = (action: string, path: string) => (cause: unknown) =>
  new DataDirError({ message: `cannot ${action} ${path}: ${cause instanceof Error ? cause.message : String(cause)}` })

/** Group and other permission bits: nothing under the data directory may carry them. */
const SHARED_BITS = 0o077

/**
 * Takes group and other permissions off everything under `dir` (not `dir` itself: it is the operator's) and
 * returns how many entries it changed. Files made by an older version, or by PGlite before the umask was set,
 * may be 0666; a restore or a copy may have loosened others.
 */
export const tighten = async (dir: string): Promise<number> => {
  let changed = 0
  for await (const entry of await opendir(dir)) {
    const path = join(dir, entry.name)
    if (entry.isSymbolicLink()) continue
    const mode = (await lstat(path)).mode
    if ((mode & SHARED_BITS) !== 0) {
      await chmod(path, mode & 0o7777 & ~SHARED_BITS)
      changed += 1
    }
    if (entry.isDirectory()) changed += await tighten(path)
  }
  return changed
}

/**
 * Creates the data directory (0700) if it is missing. From here on this process creates everything owner-only:
 * the umask is process-wide, so the embedded database, the keys and the blobs all follow it.
 */
export const ensureDataDir = (dir: string) =>
  Effect.sync(() => process.umask(SHARED_BITS)).pipe(
    Effect.zipRight(Effect.tryPromise({ try: () => mkdir(dir, { recursive: true, mode: 0o700 }), catch: describe("create", dir) }))
  )

/**
 * Makes what is already under the data directory owner-only, once at start. The directory itself is left as
 * the operator made it (it may be a mount point), with a warning when others may enter it.
 */
export const secureDataDir = (dir: string) =>
  Effect.gen(function*() {
    const changed = yield* Effect.tryPromise({ try: () => tighten(dir), catch: describe("restrict permissions under", dir) })
    if (changed > 0) yield* Effect.logWarning(`made ${changed} files and directories under ${dir} accessible to their owner only`)
    const mode = (yield* Effect.tryPromise({ try: () => lstat(dir), catch: describe("read", dir) })).mode
    if ((mode & SHARED_BITS) !== 0) {
      yield* Effect.logWarning(
        `DATA_DIR ${dir} has mode ${(mode & 0o777).toString(8)}: other users may list it; its contents are owner-only, consider chmod 700`
      )
    }
  })

export const isWritable = (dir: string) =>
  Effect.tryPromise({ try: () => access(dir, constants.W_OK), catch: describe("write to", dir) })

const isAlreadyThere = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && "code" in cause && cause.code === "EEXIST"

/**
 * Reads a secret file, creating it first with `generate()` (mode 0600) if it is missing. The create is
 * exclusive (`wx`), so two processes starting at once agree on one value: the loser reads the winner's.
 */
export const readOrCreateSecretFile = (path: string, generate: () => string) =>
  Effect.tryPromise({
    try: async () => {
      try {
        await writeFile(path, generate(), { flag: "wx", mode: 0o600 })
        return { created: true, value: (await readFile(path, "utf8")).trim() }
      } catch (cause) {
        if (!isAlreadyThere(cause)) throw cause
        return { created: false, value: (await readFile(path, "utf8")).trim() }
      }
    },
    catch: describe("read or create", path)
  })
