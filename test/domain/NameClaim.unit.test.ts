import { describe, it } from "vitest"
import { type ClaimName, NameClaimDecider } from "../../src/domain/claim/NameClaim.js"
import { given } from "../support/givenWhenThen.js"

const claim = (ownerId: number): ClaimName => ({ _tag: "ClaimName", field: "username", name: "alice", ownerId })

describe("NameClaimDecider", () => {
  it("claims a free name", () => {
    given(NameClaimDecider).when(claim(7)).then([{ _tag: "NameClaimed", ownerId: 7 }])
  })

  // A retried creation must not fail on its own claim.
  it("records nothing when the owner claims its name again", () => {
    given(NameClaimDecider, [{ _tag: "NameClaimed", ownerId: 7 }]).when(claim(7)).then([])
  })

  it("refuses the name to anyone else, naming the field and the name", () => {
    given(NameClaimDecider, [{ _tag: "NameClaimed", ownerId: 7 }])
      .when(claim(8))
      .thenFails("NameTaken", { field: "username", name: "alice" })
  })

  it("keeps the first owner even if a later claim event were appended", () => {
    given(NameClaimDecider, [{ _tag: "NameClaimed", ownerId: 7 }, { _tag: "NameClaimed", ownerId: 8 }])
      .when(claim(8))
      .thenFails("NameTaken")
  })

  it("lets a released name be claimed by anyone, and releasing a free name records nothing", () => {
    given(NameClaimDecider, [{ _tag: "NameClaimed", ownerId: 7 }]).when({ _tag: "ReleaseName" }).then([{ _tag: "NameReleased" }])
    given(NameClaimDecider, [{ _tag: "NameClaimed", ownerId: 7 }, { _tag: "NameReleased" }]).when(claim(8)).then([{ _tag: "NameClaimed", ownerId: 8 }])
    given(NameClaimDecider).when({ _tag: "ReleaseName" }).then([])
  })
})
