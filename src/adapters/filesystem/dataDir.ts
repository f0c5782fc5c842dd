import { constants } from "node:fs"
import { access, mkdir, readFile, writeFile } from "node:fs/promises"
import { Data, Effect } from "effect"

/** The data directory could not be prepared or read; start-up stops with this message. */
export class DataDirError extends Data.TaggedError("DataDirError")<{ readonly message: string }> {}

const describe = (action: string, path: string) => (cause: unknown) =>
  new DataDirError({ message: `cannot ${action} ${path}: ${cause instanceof Error ? cause.message : String(cause)}` })

export const ensureDataDir = (dir: string) =>
  Effect.tryPromise({ try: () => mkdir(dir, { recursive: true, mode: 0o700 }), catch: describe("create", dir) })

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
