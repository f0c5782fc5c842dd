import { Either, Schema } from "effect"
import type { Decider } from "../Decider.js"
import { type DomainError, InvalidField } from "../errors.js"

export const SsoSessionStarted = Schema.TaggedStruct("SsoSessionStarted", {
  userId: Schema.Int.pipe(Schema.positive()),
  groupId: Schema.Int.pipe(Schema.positive()),
  expiresAt: Schema.Date
})
export const SsoSessionEnded = Schema.TaggedStruct("SsoSessionEnded", {})
export const SsoEvent = Schema.Union(SsoSessionStarted, SsoSessionEnded)
export type SsoEvent = typeof SsoEvent.Type

/** A user's SAML session with one top-level group; needed to pull when the group enforces SSO. */
export interface SsoSession {
  readonly userId: number
  readonly groupId: number
  readonly expiresAt: Date
  readonly ended: boolean
}
export type SsoState = SsoSession | null

export type SsoCommand =
  | { readonly _tag: "StartSsoSession"; readonly userId: number; readonly groupId: number; readonly expiresAt: Date; readonly now: Date }
  | { readonly _tag: "EndSsoSession" }

export const isSsoSessionActive = (session: SsoSession | null, now: Date): boolean =>
  session !== null && !session.ended && session.expiresAt.getTime() > now.getTime()

export const SsoDecider: Decider<SsoCommand, SsoEvent, SsoState, DomainError> = {
  initialState: null,
  evolve: (state, event) =>
    event._tag === "SsoSessionStarted"
      ? { userId: event.userId, groupId: event.groupId, expiresAt: event.expiresAt, ended: false }
      : state === null
      ? state
      : { ...state, ended: true },
  decide: (command, state) => {
    if (command._tag === "EndSsoSession") {
      return Either.right(state === null || state.ended ? [] : [{ _tag: "SsoSessionEnded" }])
    }
    if (Number.isNaN(command.expiresAt.getTime())) {
      return Either.left(new InvalidField({ field: "expires_at", message: "is not a valid date" }))
    }
    if (command.expiresAt.getTime() <= command.now.getTime()) {
      return Either.left(new InvalidField({ field: "expires_at", message: "must be in the future" }))
    }
    const { userId, groupId, expiresAt } = command
    return Either.right([{ _tag: "SsoSessionStarted", userId, groupId, expiresAt }])
  }
}
