import { mkdtemp, readdir, utimes, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { removeStaleTemporaries, STALE_TEMPORARY_MS } from "../../../src/adapters/filesystem/blobFiles.js"

describe("temporary blob files left by a killed process", () => {
  it.effect("are removed once stale, while a download still being written is left alone", () =>
    Effect.gen(function*() {
      const tmp = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "dp-tmp-")))
      const now = Date.now()
      yield* Effect.promise(async () => {
        await writeFile(join(tmp, "abandoned"), "half a layer")
        const old = new Date(now - STALE_TEMPORARY_MS - 60_000)
        await utimes(join(tmp, "abandoned"), old, old)
        await writeFile(join(tmp, "in-progress"), "being written by another replica")
      })
      expect(yield* removeStaleTemporaries(tmp, now)).toBe(1)
      expect(yield* Effect.promise(() => readdir(tmp))).toEqual(["in-progress"])
    }))
})
