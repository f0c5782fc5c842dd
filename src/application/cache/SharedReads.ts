import { Deferred, Effect, Exit, FiberId } from "effect"

/**
 * Blocks of a transfer's bytes read back from the store for clients that fell behind its window, shared by
 * all of them: 31 late clients of one blob cost one read and one buffer per block, not 31 (each a fresh
 * 1 MiB buffer for the garbage collector; ADR 0019). The newest `limit` blocks stay, as the clients behind
 * tend to move together. A failed read is not kept: the next client asks again.
 *
 * Plain mutable state, like ChunkWindow: JavaScript runs one fiber step at a time.
 */
export class SharedReads<E> {
  private readonly blocks = new Map<number, Deferred.Deferred<Uint8Array, E>>()

  constructor(private readonly limit: number) {}

  /** The block at `start`, loaded by the first client that asks for it; the others wait for that read. */
  block(start: number, load: Effect.Effect<Uint8Array, E>): Effect.Effect<Uint8Array, E> {
    return Effect.suspend(() => {
      const found = this.blocks.get(start)
      if (found !== undefined) return Deferred.await(found)
      const loading = Deferred.unsafeMake<Uint8Array, E>(FiberId.none)
      this.blocks.set(start, loading)
      for (const oldest of this.blocks.keys()) {
        if (this.blocks.size <= this.limit) break
        this.blocks.delete(oldest)
      }
      // Uninterruptible: a client going away mid-read must not leave the others waiting on a read nobody ends.
      return load.pipe(
        Effect.exit,
        Effect.tap((exit) => (Exit.isFailure(exit) && this.blocks.get(start) === loading ? Effect.sync(() => this.blocks.delete(start)) : Effect.void)),
        Effect.flatMap((exit) => Deferred.done(loading, exit)),
        Effect.uninterruptible,
        Effect.zipRight(Deferred.await(loading))
      )
    })
  }

  /** Drops every block (the transfer starts over elsewhere, or nobody follows it any more). */
  clear(): void {
    this.blocks.clear()
  }
}
