/**
 * A minimal ustar writer that streams, so a 100 MiB layer never sits in memory, and is byte-for-byte
 * deterministic (mtime 0, uid/gid 0), so the same files always give the same layer digest.
 */

export interface TarFile {
  readonly path: string
  readonly size: number
  /** Yields exactly `size` bytes; called once. */
  readonly data: () => AsyncIterable<Buffer>
}

export const fileFromBytes = (path: string, content: string | Buffer): TarFile => {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content
  return {
    path,
    size: bytes.length,
    data: async function* () {
      yield bytes
    }
  }
}

const BLOCK = 512

const octal = (value: number, width: number): string => value.toString(8).padStart(width - 1, "0") + "\0"

const header = (path: string, size: number, type: "0" | "5"): Buffer => {
  const block = Buffer.alloc(BLOCK)
  // ustar splits long names into prefix (155) + name (100); the fixture's paths are short, so refuse rather than split.
  if (Buffer.byteLength(path) > 100) throw new Error(`tar path longer than 100 bytes: ${path}`)
  block.write(path, 0, 100, "utf8")
  block.write(octal(type === "5" ? 0o755 : 0o644, 8), 100, "ascii")
  block.write(octal(0, 8), 108, "ascii")
  block.write(octal(0, 8), 116, "ascii")
  block.write(octal(size, 12), 124, "ascii")
  block.write(octal(0, 12), 136, "ascii")
  block.write("        ", 148, "ascii")
  block.write(type, 156, "ascii")
  block.write("ustar\0", 257, "ascii")
  block.write("00", 263, "ascii")
  block.write("root", 265, "ascii")
  block.write("root", 297, "ascii")
  let checksum = 0
  for (const byte of block) checksum += byte
  block.write(checksum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii")
  return block
}

const parentDirectories = (files: ReadonlyArray<TarFile>): ReadonlyArray<string> => {
  const dirs = new Set<string>()
  for (const file of files) {
    const parts = file.path.split("/").slice(0, -1)
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join("/") + "/")
  }
  return [...dirs].sort()
}

/** The tar stream: parent directories first, then the files sorted by path, then the two zero end blocks. */
export async function* tarStream(files: ReadonlyArray<TarFile>): AsyncGenerator<Buffer> {
  for (const dir of parentDirectories(files)) yield header(dir, 0, "5")
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    yield header(file.path, file.size, "0")
    let written = 0
    for await (const chunk of file.data()) {
      written += chunk.length
      yield chunk
    }
    if (written !== file.size) throw new Error(`tar entry ${file.path}: declared ${file.size} bytes, got ${written}`)
    const padding = (BLOCK - (file.size % BLOCK)) % BLOCK
    if (padding > 0) yield Buffer.alloc(padding)
  }
  yield Buffer.alloc(2 * BLOCK)
}
