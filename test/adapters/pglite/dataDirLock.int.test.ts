import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Scope } from "effect"
import { lockDataDir } from "../../../src/adapters/pglite/dataDirLock.js"

const freshDir = Effect.promise(() => mkdtemp(join(tmpdir(), "dp-lock-"))).pipe(Effect.map((dir) => join(dir, "pglite")))
const opens = (dataDir: string) => Effect.either(Effect.scoped(lockDataDir(dataDir))).pipe(Effect.map(Either.isRight))

describe("the embedded database's lock file", () => {
  it.effect("one left with our own pid by a process before us in this same container (restarted as pid 1) is taken over", () =>
    Effect.gen(function*() {
      const dataDir = yield* freshDir
      // What a process with our pid, in this container and boot, wrote: the file a kill leaves behind.
      const scope = yield* Scope.make()
      const lock = yield* lockDataDir(dataDir).pipe(Scope.extend(scope))
      const leftBehind = yield* Effect.promise(() => readFile(lock, "utf8"))
      expect(leftBehind.split("\n")[0]).toBe(String(process.pid))

      // Held by this process now: a second open of the same directory is refused, pid or not.
      const again = yield* Effect.either(Effect.scoped(lockDataDir(dataDir)))
      expect(Either.isLeft(again) && again.left.message.includes(`in use by process ${process.pid}`)).toBe(true)

      yield* Scope.close(scope, Exit.void)
      yield* Effect.promise(() => writeFile(lock, leftBehind))
      expect(yield* opens(dataDir)).toBe(true)
    }))

  it.effect("our pid written in another container (another `docker run`, also pid 1), or by a version that did not say where, is refused", () =>
    Effect.gen(function*() {
      const dataDir = yield* freshDir
      yield* Effect.promise(() => writeFile(`${dataDir}.lock`, `${process.pid}\nhost=another-container boot=x\n`))
      expect(yield* opens(dataDir)).toBe(false)
      yield* Effect.promise(() => writeFile(`${dataDir}.lock`, String(process.pid)))
      expect(yield* opens(dataDir)).toBe(false)
    }))
})
