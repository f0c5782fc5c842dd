import type { Readable } from "node:stream"
import { Context, Data, type Effect, type Stream } from "effect"

/** The upstream body broke off (reset, timeout) while it was being read. */
export class BodyInterrupted extends Data.TaggedError("BodyInterrupted")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/**
 * Turns the Node streams that HTTP clients hand out into Effect streams, and back. A port because the
 * conversion lives in `@effect/platform-node`, which the application does not import.
 */
export interface NodeStreamBridgeShape {
  readonly chunks: (readable: Readable) => Stream.Stream<Uint8Array, BodyInterrupted>
  /**
   * The bytes of `readable` as runs of consecutive buffers of at least `bytes` each (the last may be
   * smaller), the buffers as read, not copied: per-run work instead of per-read work, and no copying.
   */
  readonly runs: (readable: Readable, bytes: number) => Stream.Stream<ReadonlyArray<Uint8Array>, BodyInterrupted>
  /** Drops a body nobody will read, freeing its connection. */
  readonly discard: (readable: Readable) => Effect.Effect<void>
}

export class NodeStreamBridge extends Context.Tag("dependency-proxy/NodeStreamBridge")<NodeStreamBridge, NodeStreamBridgeShape>() {}
