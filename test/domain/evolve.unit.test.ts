import { it } from "@effect/vitest"
import { Arbitrary, FastCheck } from "effect"
import { describe, expect } from "vitest"
import { NameClaimDecider, NameClaimEvent } from "../../src/domain/claim/NameClaim.js"
import { fold } from "../../src/domain/Decider.js"
import { GroupDecider } from "../../src/domain/group/GroupDecider.js"
import { GroupEvent } from "../../src/domain/group/GroupEvents.js"
import { SsoDecider, SsoEvent } from "../../src/domain/sso/SsoSession.js"
import { TokenDecider } from "../../src/domain/token/TokenDecider.js"
import { TokenEvent } from "../../src/domain/token/TokenEvents.js"
import { UserDecider } from "../../src/domain/user/UserDecider.js"
import { UserEvent } from "../../src/domain/user/UserEvents.js"

// `evolve` runs over whatever the log holds, including histories no decider would produce (events before a
// creation, a second creation, members of a group that was never created): it must never throw, or one odd
// stream would make a whole aggregate unloadable. Arbitrary events come from the very schemas the store
// decodes with, so the generator cannot drift from what can actually be read back.
const histories = {
  group: FastCheck.array(Arbitrary.make(GroupEvent), { maxLength: 30 }),
  user: FastCheck.array(Arbitrary.make(UserEvent), { maxLength: 30 }),
  token: FastCheck.array(Arbitrary.make(TokenEvent), { maxLength: 30 }),
  sso: FastCheck.array(Arbitrary.make(SsoEvent), { maxLength: 30 }),
  claim: FastCheck.array(Arbitrary.make(NameClaimEvent), { maxLength: 30 })
}

describe("evolve is total", () => {
  it.prop("for groups", [histories.group], ([events]) => {
    expect(() => fold(GroupDecider, events)).not.toThrow()
  })
  it.prop("for users", [histories.user], ([events]) => {
    expect(() => fold(UserDecider, events)).not.toThrow()
  })
  it.prop("for tokens", [histories.token], ([events]) => {
    expect(() => fold(TokenDecider, events)).not.toThrow()
  })
  it.prop("for SSO sessions", [histories.sso], ([events]) => {
    expect(() => fold(SsoDecider, events)).not.toThrow()
  })
  it.prop("for name claims", [histories.claim], ([events]) => {
    expect(() => fold(NameClaimDecider, events)).not.toThrow()
  })
})

// Totality alone would be met by an evolve that ignored everything; these pin down what it does with the
// odd histories: nothing exists before its creation event, and a second creation does not replace the first.
describe("evolve with creation events out of place", () => {
  it.prop("a group exists from its first GroupCreated until a GroupDeleted; later creations do not override it", [histories.group], ([events]) => {
    // After a deletion the stream's state is empty again; a creation after it (never appended) starts anew.
    const sinceDeletion = events.slice(events.findLastIndex((e) => e._tag === "GroupDeleted") + 1)
    const firstCreation = sinceDeletion.findIndex((e) => e._tag === "GroupCreated")
    const first = sinceDeletion[firstCreation]
    const state = fold(GroupDecider, events)
    if (first === undefined || first._tag !== "GroupCreated") {
      expect(state).toBeNull()
      return
    }
    const moves = sinceDeletion.slice(firstCreation).flatMap((e) => (e._tag === "GroupPathChanged" ? [e.fullPath] : []))
    expect(state).toMatchObject({ groupId: first.groupId, fullPath: moves.at(-1) ?? first.fullPath, parentId: first.parentId })
    expect(fold(GroupDecider, sinceDeletion.slice(0, firstCreation))).toBeNull()
  })

  it.prop("a user exists from its first UserCreated until a UserDeleted", [histories.user], ([events]) => {
    // After a deletion the stream's state is empty again; a creation after it (never appended) starts anew.
    const sinceDeletion = events.slice(events.findLastIndex((e) => e._tag === "UserDeleted") + 1)
    const first = sinceDeletion.find((e) => e._tag === "UserCreated")
    const state = fold(UserDecider, events)
    if (first === undefined) expect(state).toBeNull()
    else expect(state).toMatchObject({ userId: first.userId, username: first.username })
  })

  it.prop("a token exists exactly from its first TokenCreated", [histories.token], ([events]) => {
    const first = events.find((e) => e._tag === "TokenCreated")
    const state = fold(TokenDecider, events)
    if (first === undefined) expect(state).toBeNull()
    else expect(state).toMatchObject({ tokenId: first.tokenId, digest: first.digest })
  })

  it.prop("a name belongs to its first claimant since it was last released", [histories.claim], ([events]) => {
    const sinceRelease = events.slice(events.findLastIndex((e) => e._tag === "NameReleased") + 1)
    const claimant = sinceRelease.find((e) => e._tag === "NameClaimed")
    expect(fold(NameClaimDecider, events)).toStrictEqual(claimant === undefined ? null : { ownerId: claimant.ownerId })
  })
})

// States are shared between a decision and the next (and between concurrent readers of a cached aggregate),
// so evolve must build new states rather than change the one it is given, notably the members Map.
it.prop("evolveGroup never mutates the state it is given", [histories.group, Arbitrary.make(GroupEvent)], ([events, next]) => {
  const state = fold(GroupDecider, events)
  const before = structuredClone(state)
  GroupDecider.evolve(state, next)
  expect(state).toStrictEqual(before)
})
