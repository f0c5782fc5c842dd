import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { type Decider, fold } from "../../src/domain/Decider.js"

// A toy decider whose state records the order events were applied in, so `fold` is checked on its own.
const log: Decider<string, string, ReadonlyArray<string>, never> = {
  initialState: [],
  evolve: (state, event) => [...state, event],
  decide: (command) => Either.right([command])
}

describe("fold", () => {
  it("is the initial state when there are no events", () => {
    expect(fold(log, [])).toBe(log.initialState)
  })

  it("applies events in order", () => {
    expect(fold(log, ["a", "b", "c"])).toStrictEqual(["a", "b", "c"])
  })

  it("accepts any iterable, such as a generator read once", () => {
    function* events() {
      yield "x"
      yield "y"
    }
    expect(fold(log, events())).toStrictEqual(["x", "y"])
  })
})
