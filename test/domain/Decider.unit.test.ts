import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { type Decider, fold, inSequence } from "../../src/domain/Decider.js"

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

// A counter that refuses to go past 2: each command is decided on the state the ones before it left.
const capped: Decider<"add", "added", number, string> = {
  initialState: 0,
  evolve: (count) => count + 1,
  decide: (_command, count) => (count < 2 ? Either.right(["added"]) : Either.left(`full at ${count}`))
}

describe("inSequence", () => {
  it("decides each command on the state the ones before it left, and gives their events together", () => {
    expect(inSequence(capped).decide(["add", "add"], 0)).toStrictEqual(Either.right(["added", "added"]))
  })

  it("is refused as a whole, with no events, when a later command is refused on that state", () => {
    expect(inSequence(capped).decide(["add", "add", "add"], 0)).toStrictEqual(Either.left("full at 2"))
    expect(inSequence(capped).decide(["add", "add"], 1)).toStrictEqual(Either.left("full at 2"))
  })

  it("decides no commands as no events", () => {
    expect(inSequence(capped).decide([], 2)).toStrictEqual(Either.right([]))
  })
})
