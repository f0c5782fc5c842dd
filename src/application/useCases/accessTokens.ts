import { Clock, Effect, Either, Option } from "effect"
import type { AccessLevel } from "../../domain/AccessLevel.js"
import { mayCreateGroupAccessToken, mayCreatePersonalToken, mayGrantScopes, mayManageGroup } from "../../domain/auth/managementRules.js"
import { UserNotFound } from "../../domain/errors.js"
import { GroupDecider } from "../../domain/group/GroupDecider.js"
import { GroupStream, streamId } from "../../domain/streams.js"
import { allowedScopes } from "../../domain/token/TokenKind.js"
import { decision } from "../commandHandler.js"
import { authorize, requireAllowed } from "../issuer.js"
import { IdSequence } from "../ports/IdSequence.js"
import { instanceSettings, userById } from "../queries.js"
import { issue, requireGroup } from "./tokenIssuance.js"
import { userCreation } from "./users.js"

const requireUser = (userId: number) =>
  userById(userId).pipe(Effect.flatMap(Option.match({
    onNone: () => Effect.fail(new UserNotFound({ user: String(userId) })),
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

