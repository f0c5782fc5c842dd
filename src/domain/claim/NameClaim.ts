import { Either, Schema } from "effect"
import type { Decider } from "../Decider.js"
import { NameTaken } from "../errors.js"

/**
 * Uniqueness across streams: a username or group path is claimed by appending to a stream named after it,
 * in the same atomic batch as the entity's creation. Two creators racing for one name conflict on this
 * stream's version; exactly one wins.
 */
export const NameClaimed = Schema.TaggedStruct("NameClaimed", {
  ownerId: Schema.Int.pipe(Schema.positive())
})
/** The owner is gone (a deleted user): the name may be claimed again. */
export const NameReleased = Schema.TaggedStruct("NameReleased", {})
export const NameClaimEvent = Schema.Union(NameClaimed, NameReleased)
export type NameClaimEvent = typeof NameClaimEvent.Type

export type NameClaimState = { readonly ownerId: number } | null
export interface ClaimName {
  readonly _tag: "ClaimName"
  readonly field: string
  readonly name: string
  readonly ownerId: number
}

export interface ReleaseName {
  readonly _tag: "ReleaseName"
}

export const NameClaimDecider: Decider<ClaimName | ReleaseName, NameClaimEvent, NameClaimState, NameTaken> = {
  initialState: null,
  evolve: (state, event) => (event._tag === "NameReleased" ? null : state ?? { ownerId: event.ownerId }),
  decide: (command, state) =>
    command._tag === "ReleaseName"
      ? Either.right(state === null ? [] : [{ _tag: "NameReleased" }])
      : state === null
      ? Either.right([{ _tag: "NameClaimed", ownerId: command.ownerId }])
      : state.ownerId === command.ownerId
      ? Either.right([])
      : Either.left(new NameTaken({ field: command.field, name: command.name }))
}
