import { Either } from "effect"
import type { AccessLevel } from "../AccessLevel.js"
import type { Decider } from "../Decider.js"
import { AlreadyExists, type DomainError, InvalidField, TokenAlreadyRevoked, TokenNotFound } from "../errors.js"
import type { TokenCreatedEvent, TokenEvent } from "./TokenEvents.js"
import { allowedScopes, type TokenKind } from "./TokenKind.js"

export interface Token extends Omit<TokenCreatedEvent, "_tag"> {
  readonly revoked: boolean
  readonly revokedReason: "revoked" | "job_finished" | null
  readonly lastUsedAt: Date | null
}
export type TokenState = Token | null

export interface CreateToken {
  readonly _tag: "CreateToken"
  readonly tokenId: number
  readonly kind: TokenKind
  readonly name: string
  readonly digest: string
  readonly scopes: ReadonlyArray<string>
  readonly expiresAt: Date | null
  readonly userId: number | null
  readonly groupId: number | null
  readonly username: string | null
  readonly accessLevel: AccessLevel | null
  readonly now: Date
  /** The longest the token may live from `now`, or null for no limit; with a limit, an expiry is required. */
  readonly maxLifetimeMs: number | null
}

export type TokenCommand =
  | CreateToken
  | { readonly _tag: "RevokeToken"; readonly reason: "revoked" | "job_finished" }
  /** Records a use only when the last recorded one is at least `minIntervalMs` old, so the log does not grow per request. */
  | { readonly _tag: "RecordTokenUse"; readonly at: Date; readonly minIntervalMs: number }

export const evolveToken = (state: TokenState, event: TokenEvent): TokenState => {
  switch (event._tag) {
    case "TokenCreated": {
      if (state !== null) return state
      const { _tag, ...created } = event
      return { ...created, revoked: false, revokedReason: null, lastUsedAt: null }
    }
    case "TokenRevoked":
      return state === null ? state : { ...state, revoked: true, revokedReason: event.reason }
    case "TokenUsed":
      return state === null ? state : { ...state, lastUsedAt: event.at }
  }
}

const HOUR_MS = 3600 * 1000
const describeLifetime = (ms: number): string =>
  ms > 48 * HOUR_MS && ms % (24 * HOUR_MS) === 0 ? `${ms / (24 * HOUR_MS)} days` : `${Math.round(ms / HOUR_MS)} hours`

const DEPLOY_USERNAME = /^[A-Za-z0-9_.+-]{1,255}$/

const requireField = (present: boolean, field: string, kind: TokenKind): Either.Either<void, InvalidField> =>
  present ? Either.void : Either.left(new InvalidField({ field, message: `is required for ${kind} tokens` }))

const validateCreate = (command: CreateToken): Either.Either<ReadonlyArray<TokenEvent>, InvalidField> =>
  Either.gen(function*() {
    if (command.name.trim().length === 0) {
      return yield* Either.left(new InvalidField({ field: "name", message: "can't be blank" }))
    }
    if (command.name.length > 255) {
      return yield* Either.left(new InvalidField({ field: "name", message: "is too long (maximum is 255 characters)" }))
    }
    if (command.scopes.length === 0) {
      return yield* Either.left(new InvalidField({ field: "scopes", message: "can't be blank" }))
    }
    const unknown = command.scopes.filter((s) => !allowedScopes[command.kind].includes(s))
    if (unknown.length > 0) {
      return yield* Either.left(
        new InvalidField({ field: "scopes", message: `${unknown.join(", ")} not allowed for ${command.kind} tokens` })
      )
    }
    if (command.expiresAt !== null && Number.isNaN(command.expiresAt.getTime())) {
      return yield* Either.left(new InvalidField({ field: "expires_at", message: "is not a valid date" }))
    }
    if (command.expiresAt !== null && command.expiresAt.getTime() <= command.now.getTime()) {
      return yield* Either.left(new InvalidField({ field: "expires_at", message: "must be in the future" }))
    }
    const limit = command.maxLifetimeMs
    if (limit !== null && (command.expiresAt === null || command.expiresAt.getTime() > command.now.getTime() + limit)) {
      return yield* Either.left(new InvalidField({ field: "expires_at", message: `must be at most ${describeLifetime(limit)} from now` }))
    }
    const kind = command.kind
    yield* requireField(kind === "deploy" || command.userId !== null, "user_id", kind)
    yield* requireField(kind === "personal" || command.groupId !== null, "group_id", kind)
    yield* requireField(kind !== "group_access" || command.accessLevel !== null, "access_level", kind)
    if (kind === "deploy" && (command.username === null || !DEPLOY_USERNAME.test(command.username))) {
      return yield* Either.left(
        new InvalidField({ field: "username", message: "can contain only letters, digits, '_', '-', '.' and '+'" })
      )
    }
    const { _tag, now, maxLifetimeMs, ...fields } = command
    return [{ ...fields, _tag: "TokenCreated" as const, scopes: [...new Set(command.scopes)] }]
  })

export const TokenDecider: Decider<TokenCommand, TokenEvent, TokenState, DomainError> = {
  initialState: null,
  evolve: evolveToken,
  decide: (command, state) => {
    if (command._tag === "CreateToken") {
      return state === null ? validateCreate(command) : Either.left(new AlreadyExists({ what: `token ${state.tokenId}` }))
    }
    if (state === null) return Either.left(new TokenNotFound({ tokenId: 0 }))
    switch (command._tag) {
      case "RevokeToken":
        return state.revoked
          ? Either.left(new TokenAlreadyRevoked({ tokenId: state.tokenId }))
          : Either.right([{ _tag: "TokenRevoked", reason: command.reason }])
      case "RecordTokenUse": {
        const last = state.lastUsedAt?.getTime()
        const due = last === undefined || command.at.getTime() - last >= command.minIntervalMs
        return Either.right(due ? [{ _tag: "TokenUsed", at: command.at }] : [])
      }
    }
  }
}
