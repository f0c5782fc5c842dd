import { type FileHandle, open } from "node:fs/promises"
import { Readable } from "node:stream"

/** Bytes per file read and socket write: fewer, larger steps cost less per byte. */
const BUFFER_BYTES = 1024 * 1024
/** Buffers each response alternates between: one being read into while the socket sends the other. */
const BUFFERS_PER_RESPONSE = 2
/** Idle buffers kept for the next responses: 16 clients at once find theirs here after the first round. */
const POOLED_BUFFERS = 32

const pool: Array<Buffer> = []
const takeBuffer = (): Buffer => pool.pop() ?? Buffer.allocUnsafeSlow(BUFFER_BYTES)
const giveBack = (buffer: Buffer) => {
  if (pool.length < POOLED_BUFFERS) pool.push(buffer)
}

/** Fills `buffer` from `position` as far as `length`; fewer bytes only at the end of the file. */
const readInto = async (handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<number> => {
  let filled = 0
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return filled
}

/**
 * A stored blob's bytes `[start, end]` for Fastify to send, without a fresh buffer per read: a file stream
 * allocates a new 1 MiB buffer for every read, and with 16 clients reading at disk speed the garbage
 * collection of those took over a quarter of the process's time (bench/results/2026-12-05-trial-datapath.md).
 *
 * Fastify sends a stream by calling its `pipe`; this body takes the call over and writes to the response
 * itself, so that it learns from each write's callback when the socket is done with a buffer, and reads the
 * next bytes into it. Each response uses two pooled buffers: at most 2 MiB per client in flight, and nothing
 * allocated per chunk. A failed read destroys the body with the error (Fastify then answers or cuts the
 * connection); a response that closes early (the client went away) destroys the body, which stops the loop.
 */
export class FileBody extends Readable {
  private gone: Promise<void>
  private leave: () => void = () => undefined

  constructor(
    private readonly path: string,
    private readonly start: number,
    /** Inclusive, as in a `Range` header. */
    private readonly end: number
  ) {
    super()
    this.gone = new Promise((resolve) => {
      this.leave = resolve
    })
  }

  override _read(): void {
    // Nothing to do: the bytes go out through `pipe`, never through `read`.
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.leave()
    callback(error)
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    this.send(destination).then(
      () => {
        if (this.destroyed) return
        if (options?.end !== false) destination.end()
        // Ends the (empty) readable side, which tells Fastify the body is complete.
        this.push(null)
        this.resume()
      },
      (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error)))
    )
    return destination
  }

  private async send(destination: NodeJS.WritableStream): Promise<void> {
    const handle = await open(this.path, "r")
    const buffers = Array.from({ length: BUFFERS_PER_RESPONSE }, takeBuffer)
    // Per buffer, the write that still uses it; reused only once the socket is done with it.
    const sending: Array<Promise<void>> = buffers.map(() => Promise.resolve())
    let reusable = false
    try {
      let position = this.start
      for (let turn = 0; position <= this.end; turn = (turn + 1) % buffers.length) {
        const buffer = buffers[turn]
        if (buffer === undefined) break
        await Promise.race([sending[turn], this.gone])
        if (this.destroyed) {
          reusable = false
          return
        }
        const length = Math.min(BUFFER_BYTES, this.end + 1 - position)
        const read = await readInto(handle, buffer, length, position)
        if (read < length) throw new Error(`${this.path} ends at ${position + read}, before byte ${this.end}`)
        position += read
        sending[turn] = new Promise((resolve) => {
          // An error here is the connection's: Fastify sees it on the response and destroys this body.
          destination.write(buffer.subarray(0, read), () => resolve())
        })
      }
      await Promise.race([Promise.all(sending), this.gone])
      reusable = !this.destroyed
    } finally {
      // A buffer whose write never completed may still be read by the socket: only finished ones go back.
      if (reusable) buffers.forEach(giveBack)
      await handle.close()
    }
  }
}
