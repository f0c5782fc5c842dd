import { Either } from "effect"
import type { Decider } from "../Decider.js"
import { AlreadyExists, type DomainError, InvalidField, UserNotFound } from "../errors.js"
import type { UserEvent } from "./UserEvents.js"
import { validateEmail, validateUsername } from "./UserValidation.js"

export interface User {
  readonly userId: number
  readonly username: string
  readonly email: string
  readonly name: string
  readonly passwordHash: string | null
  readonly admin: boolean
  readonly bot: boolean
  readonly blocked: boolean
  readonly twoFactorEnabled: boolean
  /** How many times the password has changed: registry tokens signed in with an older password stop working. */
  readonly passwordVersion: number
  /** Browser sessions signed out before they expired (`SessionEnded`), until they would have. */
  readonly endedSessions: ReadonlyArray<EndedSession>
  /**
   * Every session expiring at or before this is ended too: where the list, kept to its newest entries, let go
   * of older ones. Ending those with them fails closed (an older session of the user's may end early).
   */
  readonly sessionsEndedUntil: Date | null
}
export interface EndedSession {
  readonly session: string
  readonly expiresAt: Date
}

/** Whether a browser session was signed out (and so may no longer be used, though its cookie is still signed). */
export const sessionEnded = (user: Pick<User, "endedSessions" | "sessionsEndedUntil">, session: string, expiresAt: Date): boolean =>
  user.endedSessions.some((ended) => ended.session === session) ||
  (user.sessionsEndedUntil !== null && expiresAt.getTime() <= user.sessionsEndedUntil.getTime())
export type UserState = User | null

/** How many signed-out sessions a user's state keeps at most (each until it would have expired). */
export const MAX_ENDED_SESSIONS = 100

export type UserCommand =
  | {
    readonly _tag: "CreateUser"
    readonly userId: number
    readonly username: string
    readonly email: string
    readonly name: string
    readonly passwordHash: string | null
    readonly admin: boolean
    readonly bot: boolean
  }
  | { readonly _tag: "BlockUser" }
  | { readonly _tag: "UnblockUser" }
  | { readonly _tag: "SetTwoFactor"; readonly enabled: boolean }
  | { readonly _tag: "SetAdmin"; readonly admin: boolean }
  | { readonly _tag: "ChangePassword"; readonly passwordHash: string }
  | { readonly _tag: "EndSession"; readonly session: string; readonly expiresAt: Date; readonly now: Date }
  | { readonly _tag: "DeleteUser" }

export const evolveUser = (state: UserState, event: UserEvent): UserState => {
  if (event._tag === "UserCreated") {
    const { _tag, ...created } = event
    return state ?? { ...created, blocked: false, twoFactorEnabled: false, passwordVersion: 0, endedSessions: [], sessionsEndedUntil: null }
  }
  if (state === null) return state
  switch (event._tag) {
    case "UserBlocked":
      return { ...state, blocked: true }
    case "UserUnblocked":
      return { ...state, blocked: false }
    case "TwoFactorEnabled":
      return { ...state, twoFactorEnabled: true }
    case "TwoFactorDisabled":
      return { ...state, twoFactorEnabled: false }
    case "AdminChanged":
      return { ...state, admin: event.admin }
    case "PasswordChanged":
      return { ...state, passwordHash: event.passwordHash, passwordVersion: state.passwordVersion + 1 }
    case "SessionEnded": {
      // Sessions that have run out since need no entry: their cookies no longer open. The newest
      // MAX_ENDED_SESSIONS at most, so one user signing in and out in a loop cannot grow the list (and every
      // request's scan of it) without end; those let go of move the watermark, so they stay ended.
      const live = [
        ...state.endedSessions.filter((ended) => ended.expiresAt.getTime() > event.endedAt.getTime()),
        { session: event.session, expiresAt: event.expiresAt }
      ]
      const dropped = live.slice(0, Math.max(0, live.length - MAX_ENDED_SESSIONS))
      const until = dropped.reduce<Date | null>((latest, e) => (latest === null || e.expiresAt > latest ? e.expiresAt : latest), state.sessionsEndedUntil)
      return { ...state, endedSessions: live.slice(-MAX_ENDED_SESSIONS), sessionsEndedUntil: until }
    }
    case "UserDeleted":
      // A deleted user is no user: every later command on the stream is UserNotFound.
      return null
  }
}

type Decision = Either.Either<ReadonlyArray<UserEvent>, DomainError>
const when = (condition: boolean, event: UserEvent): Decision => Either.right(condition ? [event] : [])

export const UserDecider: Decider<UserCommand, UserEvent, UserState, DomainError> = {
  initialState: null,
  evolve: evolveUser,
  decide: (command, state): Decision => {
    if (command._tag === "CreateUser") {
      if (state !== null) return Either.left(new AlreadyExists({ what: `user ${state.username}` }))
      return Either.gen(function*() {
        const username = yield* validateUsername(command.username)
        const email = yield* validateEmail(command.email)
        if (command.name.length > 255) {
          return yield* Either.left(new InvalidField({ field: "name", message: "is too long (maximum is 255 characters)" }))
        }
        const { _tag, ...rest } = command
        return [{ ...rest, _tag: "UserCreated" as const, username, email }]
      })
    }
    if (state === null) return Either.left(new UserNotFound({ user: "unknown" }))
    switch (command._tag) {
      case "BlockUser":
        return when(!state.blocked, { _tag: "UserBlocked" })
      case "UnblockUser":
        return when(state.blocked, { _tag: "UserUnblocked" })
      case "SetTwoFactor":
        return when(
          command.enabled !== state.twoFactorEnabled,
          command.enabled ? { _tag: "TwoFactorEnabled" } : { _tag: "TwoFactorDisabled" }
        )
      case "SetAdmin":
        return when(command.admin !== state.admin, { _tag: "AdminChanged", admin: command.admin })
      case "ChangePassword":
        return Either.right([{ _tag: "PasswordChanged", passwordHash: command.passwordHash }])
      case "EndSession":
        // One already ended, or already expired, needs nothing more.
        return when(
          command.expiresAt.getTime() > command.now.getTime() && !sessionEnded(state, command.session, command.expiresAt),
          { _tag: "SessionEnded", session: command.session, expiresAt: command.expiresAt, endedAt: command.now }
        )
      case "DeleteUser":
        return Either.right([{ _tag: "UserDeleted", username: state.username }])
    }
  }
}
