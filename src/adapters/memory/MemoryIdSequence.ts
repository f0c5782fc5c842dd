import { Effect, Layer, Ref } from "effect"
import { IdSequence } from "../../application/ports/IdSequence.js"

/** Per-kind counters in process memory: 1, 2, 3, … for each kind, independently. */
export const layer: Layer.Layer<IdSequence> = Layer.effect(
  IdSequence,
  Effect.gen(function*() {
    const counters = yield* Ref.make<ReadonlyMap<string, number>>(new Map())
    return {
      next: (kind: string) =>
        Ref.modify(counters, (current): [number, ReadonlyMap<string, number>] => {
          const value = (current.get(kind) ?? 0) + 1
          return [value, new Map(current).set(kind, value)]
        })
    }
  })
)
