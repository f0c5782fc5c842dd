import { Layer } from "effect"
import type { Json, JsonObject } from "../../src/domain/Json.js"
import { Projector, type ProjectorShape } from "../../src/application/ports/Projector.js"

const countOf = (value: Json | undefined): number => (typeof value === "number" ? value : 0)

/** Streams in the contract tests are named `<test prefix>/<name>`; the prefix groups one test's streams. */
export const prefixOf = (streamId: string): string => streamId.split("/")[0] ?? streamId

/**
 * A small projector for the contract tests:
 * - `stream_count/<stream>`: events per stream and the last event's type; a `StreamDeleted` event deletes it;
 * - `prefix_total/<prefix>`: events of all streams of one test, a row many streams update (and create) at once.
 */
export const testProjector: ProjectorShape = (event) => [
  {
    kind: "stream_count",
    id: event.streamId,
    update: (current: JsonObject | undefined): JsonObject | undefined =>
      event.type === "StreamDeleted"
        ? undefined
        : { count: countOf(current?.["count"]) + 1, lastType: event.type, lastPosition: event.globalPosition }
  },
  {
    kind: "prefix_total",
    id: prefixOf(event.streamId),
    update: (current: JsonObject | undefined): JsonObject => ({ events: countOf(current?.["events"]) + 1 })
  }
]

export const testProjectorLayer: Layer.Layer<Projector> = Layer.succeed(Projector, testProjector)
