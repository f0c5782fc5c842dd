import { describe, expect, it } from "vitest"
import { type ClaimName, NameClaimDecider } from "../../src/domain/claim/NameClaim.js"
import { given } from "../support/givenWhenThen.js"

// The helper is itself an assertion: if it silently passed on a mismatch, every decider test would be
// vacuous. These tests pin down that it fails when it should, using the smallest decider there is.
describe("given/when/then helper", () => {
  const claim: ClaimName = { _tag: "ClaimName", field: "username", name: "alice", ownerId: 1 }

  it("passes when the events match", () => {
    given(NameClaimDecider, []).when(claim).then([{ _tag: "NameClaimed", ownerId: 1 }])
  })

  it("fails when the events differ", () => {
    expect(() => given(NameClaimDecider, []).when(claim).then([{ _tag: "NameClaimed", ownerId: 2 }])).toThrow()
    expect(() => given(NameClaimDecider, []).when(claim).then([])).toThrow()
  })

  it("fails when events were expected but the command was rejected", () => {
    expect(() =>
      given(NameClaimDecider, [{ _tag: "NameClaimed", ownerId: 2 }]).when(claim).then([])
    ).toThrow(/rejected: NameTaken/)
  })

  it("checks the failure's tag and the given fields", () => {
    const taken = given(NameClaimDecider, [{ _tag: "NameClaimed", ownerId: 2 }]).when(claim)
    taken.thenFails("NameTaken")
    taken.thenFails("NameTaken", { field: "username", name: "alice" })
    expect(() => taken.thenFails("NameTaken", { field: "group_path" })).toThrow()
  })

  it("fails when a rejection was expected but the command succeeded", () => {
    expect(() => given(NameClaimDecider, []).when(claim).thenFails("NameTaken")).toThrow(/succeeded/)
  })
})
