/** Consecutive chunks of a blob starting at `offset`, as upstream's socket handed them over. */
interface Run {
  readonly offset: number
  readonly chunks: ReadonlyArray<Uint8Array>
  readonly length: number
}

/**
 * The newest bytes of a transfer, kept in memory as upstream handed them over, so that the clients close behind
 * it get them without touching the store: the same buffers go to every one of them (no copy, no read).
 * The newest runs stay up to `limit` bytes in all, whether or not a client has read them yet: requests for the
 * blob keep arriving after the transfer started (32 clients' requests take a while to authorize on a busy
 * machine), and each one starts at byte 0. Past the limit the oldest go, and a client that fell further
 * behind reads those bytes back from the store by position (ADR 0019).
 *
 * Plain mutable state: one transfer owns it and JavaScript runs one fiber step at a time, so a `push` and a
 * `slice` never interleave.
 */
export class ChunkWindow {
  private runs: Array<Run> = []
  private held = 0

  constructor(private readonly limit: number) {}

  /** Where the bytes in memory begin; everything before is only in the store. */
  get start(): number {
    return this.runs[0]?.offset ?? Number.POSITIVE_INFINITY
  }

  /**
   * Adds the run of chunks at `offset` (right after the previous one). Older runs go once the window holds
   * more than its limit, and only runs the store holds entirely (`storedBelow`), so every byte is always in
   * memory or in the store.
   */
  push(offset: number, chunks: ReadonlyArray<Uint8Array>, storedBelow: number): void {
    const length = chunks.reduce((n, c) => n + c.length, 0)
    if (length === 0) return
    this.runs.push({ offset, chunks, length })
    this.held += length
    while (this.runs.length > 1) {
      const oldest = this.runs[0]
      if (oldest === undefined) break
      const end = oldest.offset + oldest.length
      if (end > storedBelow || this.held <= this.limit) break
      this.runs.shift()
      this.held -= oldest.length
    }
  }

  /**
   * The bytes from `position` up to `end` (exclusive) that one run in memory holds, as views of its chunks (no
   * copy); possibly fewer than asked for (the rest is in the next run). Null if `position` is not in memory.
   */
  slice(position: number, end: number): ReadonlyArray<Uint8Array> | null {
    // Followers are nearly always in the newest runs: search from the end.
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i]
      if (run === undefined || run.offset > position) continue
      if (position >= run.offset + run.length) return null
      const views: Array<Uint8Array> = []
      let at = run.offset
      for (const chunk of run.chunks) {
        const chunkEnd = at + chunk.length
        if (chunkEnd > position && at < end) views.push(chunk.subarray(Math.max(0, position - at), Math.min(chunk.length, end - at)))
        at = chunkEnd
        if (at >= end) break
      }
      return views
    }
    return null
  }

  /** Drops everything (the transfer starts over elsewhere, or nobody follows it any more). */
  clear(): void {
    this.runs = []
    this.held = 0
  }
}
