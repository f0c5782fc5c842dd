import { randomUUID } from "node:crypto"
import { chmod, link, mkdir, open, readdir, readFile, unlink } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { attempt, type KeyShelf, type StoredKey } from "./keyShelf.js"

const KEY_FILE = /^key-(\d{8})\.json$/
const fileName = (generation: number) => `key-${String(generation).padStart(8, "0")}.json`

const hasCode = (cause: unknown, code: string): boolean =>
  typeof cause === "object" && cause !== null && "code" in cause && cause.code === code

/** Runs `run`, turning the one errno that means "already in the state we want" into `fallback`. */
const tolerating = <A, B>(code: string, fallback: B, run: () => Promise<A>) => async (): Promise<A | B> => {
  try {
    return await run()
  } catch (cause) {
    if (hasCode(cause, code)) return fallback
    throw cause
  }
}

/**
 * The keys as files `key-<generation>.json` (0600) in `dir` (0700), the embedded default's shelf (DATA_DIR/jwt-keys).
 * A key is written to a private temp file and then hard-linked into place, so a reader never sees a half-written
 * key and only one writer wins a generation.
 */
export const keyDirectory = (dir: string): KeyShelf => {
  const ensureDir = attempt(`cannot create ${dir}`, async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    // mkdir leaves an existing directory's mode alone; private keys live here, so tighten it regardless.
    await chmod(dir, 0o700)
  })

  const list = Effect.gen(function*() {
    yield* ensureDir
    const names = yield* attempt(`cannot list ${dir}`, () => readdir(dir))
    const files = names.flatMap((name) => {
      const digits = KEY_FILE.exec(name)?.[1]
      return digits === undefined ? [] : [{ path: join(dir, name), generation: Number(digits) }]
    })
    const read = yield* Effect.forEach(files, ({ path, generation }) =>
      // A concurrent rotation may delete a file between readdir and readFile; it is then simply not a key any more.
      attempt(`cannot read ${path}`, tolerating("ENOENT", undefined, () => readFile(path, "utf8"))).pipe(
        Effect.map((text): ReadonlyArray<StoredKey> => (text === undefined ? [] : [{ where: path, generation, text }]))
      ))
    return read.flat()
  })

  const claim = (generation: number, text: string) =>
    Effect.gen(function*() {
      yield* ensureDir
      const temp = join(dir, `.tmp-${randomUUID()}`)
      const target = join(dir, fileName(generation))
      const write = attempt(`cannot write ${temp}`, async () => {
        const handle = await open(temp, "wx", 0o600)
        try {
          await handle.writeFile(text)
          await handle.sync()
        } finally {
          await handle.close()
        }
      })
      const linked = attempt(`cannot link ${target}`, tolerating("EEXIST", false, async () => {
        await link(temp, target)
        return true
      }))
      const cleanUp = attempt(`cannot remove ${temp}`, tolerating("ENOENT", undefined, () => unlink(temp))).pipe(
        Effect.catchTag("JwtKeyRingError", (error) => Effect.logWarning(error.message))
      )
      return yield* write.pipe(Effect.zipRight(linked), Effect.ensuring(cleanUp))
    })

  const remove = (generation: number) => {
    const path = join(dir, fileName(generation))
    // ENOENT: a replica rotating at the same time deleted it first, which is the outcome wanted.
    return attempt(`cannot delete ${path}`, tolerating("ENOENT", undefined, () => unlink(path)))
  }

  return { describe: dir, list, claim, remove }
}
