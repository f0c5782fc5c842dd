import { chmod, mkdir, readdir, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { startServer, tempDir } from "../support/processes.js"

/** Every file and directory under `dir` whose mode lets the group or others in. */
const openToOthers = async (dir: string): Promise<ReadonlyArray<string>> => {
  const found: Array<string> = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isSymbolicLink()) continue
    if (((await stat(path)).mode & 0o077) !== 0) found.push(`${((await stat(path)).mode & 0o777).toString(8)} ${path}`)
    if (entry.isDirectory()) found.push(...(await openToOthers(path)))
  }
  return found
}

/**
 * Finding 3: with DATA_DIR made beforehand with mode 0755 (an operator's `mkdir data`, a container volume),
 * about 970 files under `pglite/` were 0666: any local user could read password hashes and token digests, and
 * alter the log.
 */
describe("the data directory's contents", () => {
  it("are owner-only after a start on the embedded database, whatever was there, with one warning about DATA_DIR", async () => {
    const dataDir = await tempDir("dp-perms-")
    await chmod(dataDir, 0o755)
    // What an older version or a careless restore left behind.
    await mkdir(join(dataDir, "blobs", "sha256", "ab"), { recursive: true, mode: 0o755 })
    await writeFile(join(dataDir, "blobs", "sha256", "ab", "leftover"), "x", { mode: 0o666 })
    await chmod(join(dataDir, "blobs", "sha256", "ab", "leftover"), 0o666)

    const server = await startServer({ DATA_DIR: dataDir })
    try {
      expect(await openToOthers(dataDir)).toEqual([])
      // The directory itself is the operator's: left as it is, with a warning naming it.
      expect((await stat(dataDir)).mode & 0o777).toBe(0o755)
      const warnings = server.output().split("\n").filter((line) => line.includes("other users may list it"))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(dataDir)
    } finally {
      expect(await server.stop()).toBe(0)
    }
    expect(await openToOthers(dataDir)).toEqual([])
  }, 180_000)
})
