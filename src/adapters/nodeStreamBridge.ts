import * as NodeStream from "@effect/platform-node/NodeStream"
import { Effect, Layer } from "effect"
import { BodyInterrupted, NodeStreamBridge } from "../application/cache/NodeStreamBridge.js"

export const NodeStreamBridgeLayer = Layer.succeed(NodeStreamBridge, {
  chunks: (readable) =>
    NodeStream.fromReadable<BodyInterrupted, Uint8Array>(
      () => readable,
      (cause) => new BodyInterrupted({ reason: cause instanceof Error ? cause.message : String(cause) })
    ),
  discard: (readable) => Effect.sync(() => readable.destroy())
})
