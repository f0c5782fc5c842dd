import { open, rm, statfs, unlink } from "node:fs/promises"
import { join } from "node:path"
import { requireTool, runChecked, runCommand, tempDir } from "../upstream/tools.js"

export interface SmallDisk {
  readonly dir: string
  /** Bytes still free for an unprivileged writer. */
  readonly freeBytes: () => Promise<number>
  /** Takes all the space that is left with one file, as another tenant of the volume would. */
  readonly fill: () => Promise<void>
  /** Removes what `fill` wrote. */
  readonly free: () => Promise<void>
  readonly unmount: () => Promise<void>
}

const FILLER = ".filler"

/**
 * A tmpfs of `sizeBytes` mounted on a temp dir: a data directory that really runs out of space (ENOSPC), with
 * nothing else on it. Needs root (tests run as root here); a refused mount fails the test, never skips it.
 */
export const mountSmallDisk = async (sizeBytes: number): Promise<SmallDisk> => {
  const mount = await requireTool("mount", "mount")
  const umount = await requireTool("umount", "mount")
  const dir = await tempDir("dp-small-disk-")
  await runChecked(mount, ["-t", "tmpfs", "-o", `size=${sizeBytes},mode=0700`, "tmpfs", dir])
  const filler = join(dir, FILLER)
  const freeBytes = async () => {
    const stats = await statfs(dir)
    return stats.bavail * stats.bsize
  }
  return {
    dir,
    freeBytes,
    fill: async () => {
      const handle = await open(filler, "a")
      try {
        // Written until the disk refuses outright: a short write only means the last pages are being used up.
        const chunk = Buffer.alloc(256 * 1024)
        for (;;) {
          const { bytesWritten } = await handle.write(chunk).catch((error: unknown) => {
            if (typeof error === "object" && error !== null && "code" in error && error.code === "ENOSPC") return { bytesWritten: 0 }
            throw error
          })
          if (bytesWritten === 0) break
        }
      } finally {
        await handle.close()
      }
      if ((await freeBytes()) > 0) throw new Error(`could not fill ${dir}: ${await freeBytes()} bytes left`)
    },
    free: () => unlink(filler),
    unmount: async () => {
      // Lazy: a server that failed to stop may still hold a file open; the mount must go all the same.
      await runCommand(umount, ["-l", dir])
      await rm(dir, { recursive: true, force: true })
    }
  }
}
