import * as NodeStream from "@effect/platform-node/NodeStream"
import { Effect, Layer } from "effect"
import { BodyInterrupted, NodeStreamBridge } from "../application/cache/NodeStreamBridge.js"
import { gatherRuns } from "./gatherRuns.js"

const interrupted = (cause: unknown) => new BodyInterrupted({ reason: cause instanceof Error ? cause.message : String(cause) })

export const NodeStreamBridgeLayer = Layer.succeed(NodeStreamBridge, {
  chunks: (readable) => NodeStream.fromReadable<BodyInterrupted, Uint8Array>(() => readable, interrupted),
  runs: (readable, bytes) => NodeStream.fromReadable<BodyInterrupted, ReadonlyArray<Uint8Array>>(() => gatherRuns(readable, bytes), interrupted),
  discard: (readable) => Effect.sync(() => readable.destroy())
})
