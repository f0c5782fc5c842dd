import { ServerResponse } from "node:http"
import { Readable } from "node:stream"
import { Cause, Chunk, Effect, Exit, Fiber, Stream } from "effect"

/**
 * A blob's bytes from an Effect stream (a transfer in progress, or bytes read back from S3 or a peer) for
 * Fastify to send. Each chunk of the stream is a run of the upstream's socket reads (a MiB or more, in 16–64 KiB
 * buffers) and goes to the socket as one corked write: one `writev` per run, not a Node stream push, a pipe
 * step and a socket write per 64 KiB buffer, which was a third of a cold transfer's CPU
 * (bench/results/2026-12-06-trial-h13-cold.md). The next run is taken once the socket has room again.
 *
 * Like `FileBody`, it takes Fastify's `pipe` call over. A stream that fails destroys the body with the error
 * (before the first byte Fastify's error handler answers; after it the connection is cut, so no response ever
 * completes without every byte); a response that closes early (the client went away) destroys the body, which
 * interrupts the stream and so lets its resources go (the follower count of a transfer, for one).
 */
export class StreamBody extends Readable {
  private fiber: Fiber.RuntimeFiber<void, unknown> | null = null

  constructor(private readonly bytes: Stream.Stream<Uint8Array, unknown>) {
    super()
  }

  override _read(): void {
    // Nothing to do: the bytes go out through `pipe`, never through `read`.
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const running = this.fiber
    this.fiber = null
    if (running !== null) Effect.runFork(Fiber.interrupt(running))
    callback(error)
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    const sending = Stream.runForEach(Stream.chunks(this.bytes), (run) => writeRun(destination, Chunk.toReadonlyArray(run)))
    const fiber = Effect.runFork(sending)
    this.fiber = fiber
    fiber.addObserver((exit) => {
      if (this.fiber === fiber) this.fiber = null
      if (this.destroyed) return
      if (Exit.isSuccess(exit)) {
        if (options?.end !== false) destination.end()
        // Ends the (empty) readable side, which tells Fastify the body is complete.
        this.push(null)
        this.resume()
        return
      }
      const failure = Cause.squash(exit.cause)
      this.destroy(failure instanceof Error ? failure : new Error(String(failure)))
    })
    return destination
  }
}

/** One run to the socket: corked into one `writev` where the destination is an HTTP response. */
const writeRun = (destination: NodeJS.WritableStream, run: ReadonlyArray<Uint8Array>) =>
  Effect.async<void>((resume) => {
    const response = destination instanceof ServerResponse ? destination : null
    response?.cork()
    let room = true
    for (const buffer of run) room = destination.write(buffer)
    response?.uncork()
    if (room) return resume(Effect.void)
    // The socket is full: the next run waits for it to drain (or for the response to close, which destroys
    // this body and interrupts the stream).
    const stopWaiting = () => {
      destination.removeListener("drain", drained)
      destination.removeListener("close", drained)
    }
    const drained = () => {
      stopWaiting()
      resume(Effect.void)
    }
    destination.on("drain", drained)
    destination.on("close", drained)
    return Effect.sync(stopWaiting)
  })
