import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Scope } from "effect"
import { lockDataDir } from "../../../src/adapters/pglite/dataDirLock.js"

const freshDir = Effect.promise(() => mkdtemp(join(tmpdir(), "dp-lock-"))).pipe(Effect.map((dir) => join(dir, "pglite")))

describe("the embedded database's lock file", () => {
  it.effect("one left with our own pid by a process before us (a container restarted as pid 1) is taken over", () =>
    Effect.gen(function*() {
      const dataDir = yield* freshDir
      yield* Effect.promise(() => writeFile(`${dataDir}.lock`, String(process.pid)))
      const scope = yield* Scope.make()
      const lock = yield* lockDataDir(dataDir).pipe(Scope.extend(scope))
      expect(yield* Effect.promise(() => readFile(lock, "utf8"))).toBe(String(process.pid))

      // Held by this process now: a second open of the same directory is refused, pid or not.
      const again = yield* Effect.either(Effect.scoped(lockDataDir(dataDir)))
      expect(Either.isLeft(again)).toBe(true)
      if (Either.isLeft(again)) expect(again.left.message).toContain(`in use by process ${process.pid}`)

      yield* Scope.close(scope, Exit.void)
      // Released: it opens again.
      expect(Either.isRight(yield* Effect.either(Effect.scoped(lockDataDir(dataDir))))).toBe(true)
    }))
})
