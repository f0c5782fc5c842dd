import { Clock, Effect, Either, Option } from "effect"
import type { AccessLevel } from "../../domain/AccessLevel.js"
import { GroupNotFound, TokenNotFound, UserNotFound } from "../../domain/errors.js"
import { GroupDecider } from "../../domain/group/GroupDecider.js"
import { GroupStream, streamId, TokenStream } from "../../domain/streams.js"
import { type CreateToken, type TokenCommand, TokenDecider } from "../../domain/token/TokenDecider.js"
import { allowedScopes, JOB_TOKEN_SCOPES, tokenPrefix, type TokenKind } from "../../domain/token/TokenKind.js"
import { decision, handleCommand, type StreamDecision } from "../commandHandler.js"
import { IdSequence } from "../ports/IdSequence.js"
import { TokenGenerator } from "../ports/TokenGenerator.js"
import {
  mayCreateGroupAccessToken,
  mayCreatePersonalToken,
  mayGrantScopes,
  mayManageGroup,
  mayMintJobToken
} from "../../domain/auth/managementRules.js"
import { authorize, callerFor, requireAllowed } from "../issuer.js"
import { groupById, instanceSettings, tokenById, userById } from "../queries.js"
import { userCreation } from "./users.js"
import type { DomainError } from "../../domain/errors.js"

/** What the creator gets back: the only time the plaintext exists outside the caller's hands. */
export interface IssuedToken {
  readonly tokenId: number
  readonly token: string
  readonly userId: number | null
  readonly username: string | null
}

interface TokenRequest {
  readonly kind: TokenKind
  readonly name: string
  readonly scopes: ReadonlyArray<string>
  readonly expiresAt: Date | null
  readonly userId: number | null
  readonly groupId: number | null
  readonly username: string | null
  readonly accessLevel: AccessLevel | null
  readonly maxLifetimeMs: number | null
}

const issue = (
  request: TokenRequest,
  extra: (tokenId: number) => ReadonlyArray<StreamDecision<DomainError>> = () => [],
  usernameFor: (tokenId: number) => string | null = () => request.username
) =>
  Effect.gen(function*() {
    const generator = yield* TokenGenerator
    const tokenId = yield* IdSequence.pipe(Effect.flatMap((ids) => ids.next("token")))
    const token = yield* generator.generate(tokenPrefix[request.kind])
    const now = new Date(yield* Clock.currentTimeMillis)
    const username = usernameFor(tokenId)
    const command: CreateToken = {
      _tag: "CreateToken",
      tokenId,
      ...request,
      username,
      digest: generator.digest(token),
      now
    }
    yield* handleCommand(Effect.succeed([
      decision(TokenStream, TokenDecider, streamId("token", tokenId), () => Either.right<TokenCommand>(command)),
      ...extra(tokenId)
    ]))
    return { tokenId, token, userId: request.userId, username } satisfies IssuedToken
  })

const requireUser = (userId: number) =>
  userById(userId).pipe(Effect.flatMap(Option.match({
    onNone: () => Effect.fail(new UserNotFound({ user: String(userId) })),
    onSome: Effect.succeed
  })))

const requireGroup = (groupId: number) =>
  groupById(groupId).pipe(Effect.flatMap(Option.match({
    onNone: () => Effect.fail(new GroupNotFound({ group: String(groupId) })),
    onSome: Effect.succeed
  })))

const DAY_MS = 24 * 3600 * 1000

/**
 * Personal and group access tokens live at most the instance's limit (GitLab's
 * `max_personal_access_token_lifetime`); one asked for without an expiry gets the longest allowed, as in
 * GitLab: the end of the day that many days from now would overshoot, so the start of that day.
 */
const accessTokenLifetime = (expiresAt: Date | null) =>
  Effect.gen(function*() {
    const { maxTokenLifetimeDays } = yield* instanceSettings
    const maxLifetimeMs = maxTokenLifetimeDays * DAY_MS
    if (expiresAt !== null) return { expiresAt, maxLifetimeMs }
    const latest = (yield* Clock.currentTimeMillis) + maxLifetimeMs
    return { expiresAt: new Date(latest - (latest % DAY_MS)), maxLifetimeMs }
  })

export const createPersonalAccessToken = (input: {
  readonly userId: number
  readonly name: string
  readonly scopes: ReadonlyArray<string>
  readonly expiresAt: Date | null
  /**
   * The scopes of the token making this call, when a user makes a token with a token (their own API
   * call): the new one may not be wider. Null when no token is involved (an admin's tool, a password grant).
   */
  readonly callerScopes?: ReadonlyArray<string> | null
}) =>
  Effect.gen(function*() {
    yield* authorize((caller) => mayCreatePersonalToken(caller, input.userId))
    if (input.callerScopes !== undefined && input.callerScopes !== null) {
      // Scopes a personal token cannot have at all are the decider's to refuse, naming the field.
      const grantable = input.scopes.filter((scope) => allowedScopes.personal.includes(scope))
      yield* requireAllowed(mayGrantScopes(input.callerScopes, grantable))
    }
    yield* requireUser(input.userId)
    const lifetime = yield* accessTokenLifetime(input.expiresAt)
    return yield* issue({
      kind: "personal",
      name: input.name,
      scopes: input.scopes,
      userId: input.userId,
      ...lifetime,
      groupId: null,
      username: null,
      accessLevel: null
    })
  })

/** GitLab names a deploy token `gitlab+deploy-token-<id>` unless a username is given. Owners create them. */
export const createDeployToken = (input: {
  readonly groupId: number
  readonly name: string
  readonly username: string | null
  readonly scopes: ReadonlyArray<string>
  readonly expiresAt: Date | null
}) =>
  Effect.gen(function*() {
    const group = yield* requireGroup(input.groupId)
    yield* authorize((caller) => mayManageGroup(caller, group))
    return yield* issue(
      { kind: "deploy", ...input, userId: null, accessLevel: null, maxLifetimeMs: null },
      () => [],
      (tokenId) => input.username ?? `gitlab+deploy-token-${tokenId}`
    )
  })

/**
 * A group access token acts as a bot user that is a member of the group with the token's role: the bot, its
 * membership and the token are created in one atomic append. Owners create them, with a role up to their own.
 */
export const createGroupAccessToken = (input: {
  readonly groupId: number
  readonly name: string
  readonly scopes: ReadonlyArray<string>
  readonly accessLevel: AccessLevel
  readonly expiresAt: Date | null
}) =>
  Effect.gen(function*() {
    const group = yield* requireGroup(input.groupId)
    yield* authorize((caller) => mayCreateGroupAccessToken(caller, group, input.accessLevel))
    const lifetime = yield* accessTokenLifetime(input.expiresAt)
    const botId = yield* IdSequence.pipe(Effect.flatMap((ids) => ids.next("user")))
    const botName = `group_${input.groupId}_bot_${botId}`
    return yield* issue(
      { kind: "group_access", ...input, ...lifetime, userId: botId, username: null },
      () => [
        ...userCreation(botId, {
          username: botName,
          email: `${botName}@noreply.dependency-proxy.local`,
          name: input.name,
          password: null,
          admin: false,
          bot: true
        }, null),
        decision(GroupStream, GroupDecider, streamId("group", input.groupId), () =>
          Either.right({ _tag: "AddMember" as const, userId: botId, accessLevel: input.accessLevel }))
      ],
      () => botName
    )
  })

/** One hour, GitLab's default job timeout; the job's finish revokes it earlier. */
export const DEFAULT_JOB_TOKEN_LIFETIME_MS = 60 * 60 * 1000
/** A day: the longest a CI job runs. A job token is a credential of its user, so it must not outlive the job. */
export const MAX_JOB_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000

/**
 * A CI job token (SPEC §7): minted only by an administrator (the stand-in for the CI system) for an active
 * user with at least Developer in the group; it lives an hour unless told otherwise, at most a day, and
 * reaches only the tree of the group's top-level group (see `authorizePull`).
 */
export const createJobToken = (input: { readonly userId: number; readonly groupId: number; readonly expiresAt?: Date }) =>
  Effect.gen(function*() {
    const group = yield* requireGroup(input.groupId)
    const jobUser = yield* callerFor(input.userId)
    yield* authorize((caller) => mayMintJobToken(caller, jobUser, group))
    const now = yield* Clock.currentTimeMillis
    return yield* issue({
      kind: "job",
      name: `CI job token`,
      scopes: JOB_TOKEN_SCOPES,
      expiresAt: input.expiresAt ?? new Date(now + DEFAULT_JOB_TOKEN_LIFETIME_MS),
      maxLifetimeMs: MAX_JOB_TOKEN_LIFETIME_MS,
      userId: input.userId,
      groupId: input.groupId,
      username: null,
      accessLevel: null
    })
  })

const onToken = (tokenId: number, command: TokenCommand) =>
  tokenById(tokenId).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(new TokenNotFound({ tokenId })),
      onSome: () =>
        handleCommand(Effect.succeed([decision(TokenStream, TokenDecider, streamId("token", tokenId), () => Either.right(command))]))
    }))
  )

export const revokeToken = (tokenId: number) => onToken(tokenId, { _tag: "RevokeToken", reason: "revoked" })
export const finishJob = (tokenId: number) => onToken(tokenId, { _tag: "RevokeToken", reason: "job_finished" })

/** Coalesced: at most one `TokenUsed` per token per `minIntervalMs`, however many requests use it. */
export const recordTokenUse = (tokenId: number, minIntervalMs: number) =>
  Clock.currentTimeMillis.pipe(
    Effect.flatMap((now) => onToken(tokenId, { _tag: "RecordTokenUse", at: new Date(now), minIntervalMs }))
  )
