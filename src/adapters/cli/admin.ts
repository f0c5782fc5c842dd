import { Effect } from "effect"
import type { CommandServices } from "../../application/AppServices.js"
import { AccessLevels, type AccessLevel } from "../../domain/AccessLevel.js"
import { allGroups, allUsers } from "../../application/queries.js"
import { requireGroupAt, requireUserNamed } from "../../application/resolve.js"
import { changeGroup, createGroup, updateDependencyProxySettings } from "../../application/useCases/groups.js"
import { startSsoSession } from "../../application/useCases/sso.js"
import { createDeployToken, createGroupAccessToken, createPersonalAccessToken } from "../../application/useCases/accessTokens.js"
import { createJobToken } from "../../application/useCases/jobTokens.js"
import { finishJob, revokeToken } from "../../application/useCases/tokenLifecycle.js"
import { updateInstanceSettings } from "../../application/useCases/instance.js"
import { changeUser, createUser } from "../../application/useCases/users.js"
import {
  optionalBoolean,
  optionalDate,
  optionalInteger,
  optionalString,
  parseFlags,
  requireInteger,
  requireString,
  UsageError
} from "./args.js"

const levelNames: Record<string, AccessLevel> = AccessLevels

/** `guest`…`owner` or 10…50. */
const accessLevel = (value: string): Effect.Effect<AccessLevel, UsageError> => {
  const level = levelNames[value.toLowerCase()] ?? Object.values(AccessLevels).find((l) => String(l) === value)
  return level === undefined
    ? Effect.fail(new UsageError({ message: `access level must be guest, reporter, developer, maintainer, owner or 10–50 (got ${value})` }))
    : Effect.succeed(level)
}

const scopes = (value: string) => value.split(",").map((s) => s.trim()).filter((s) => s !== "")

type Subcommand = (argv: ReadonlyArray<string>) => Effect.Effect<unknown, unknown, CommandServices>

const userFlag = { user: "string" } as const

/** `dependency-proxy admin <subcommand> --flags`: bootstrap and user, group and token management. */
export const adminCommands: Readonly<Record<string, Subcommand>> = {
  "create-user": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { username: "string", email: "string", name: "string", password: "string", admin: "boolean" })
      const username = yield* requireString(f, "username")
      const userId = yield* createUser({
        username,
        email: yield* requireString(f, "email"),
        name: optionalString(f, "name") ?? username,
        password: yield* requireString(f, "password"),
        admin: f["admin"] === true
      })
      return { id: userId, username }
    }),
  "block-user": (argv) =>
    parseFlags(argv, userFlag).pipe(
      Effect.flatMap((f) => requireString(f, "user")),
      Effect.flatMap(requireUserNamed),
      Effect.tap((u) => changeUser(u.userId, { _tag: "BlockUser" })),
      Effect.map((u) => ({ id: u.userId, blocked: true }))
    ),
  "unblock-user": (argv) =>
    parseFlags(argv, userFlag).pipe(
      Effect.flatMap((f) => requireString(f, "user")),
      Effect.flatMap(requireUserNamed),
      Effect.tap((u) => changeUser(u.userId, { _tag: "UnblockUser" })),
      Effect.map((u) => ({ id: u.userId, blocked: false }))
    ),
  "set-two-factor": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { user: "string", enabled: "string" })
      const user = yield* requireUserNamed(yield* requireString(f, "user"))
      const enabled = (yield* optionalBoolean(f, "enabled")) ?? true
      yield* changeUser(user.userId, { _tag: "SetTwoFactor", enabled })
      return { id: user.userId, two_factor_enabled: enabled }
    }),
  "create-group": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { path: "string", name: "string", parent: "string", owner: "string" })
      const path = yield* requireString(f, "path")
      const parentPath = optionalString(f, "parent")
      const parent = parentPath === undefined ? null : yield* requireGroupAt(parentPath)
      const owner = yield* requireUserNamed(optionalString(f, "owner") ?? "root")
      const groupId = yield* createGroup({
        path,
        name: optionalString(f, "name") ?? path,
        parentId: parent?.groupId ?? null,
        ownerUserId: owner.userId
      })
      return { id: groupId, full_path: parent === null ? path : `${parent.fullPath}/${path}` }
    }),
  "add-member": (argv) => memberCommand(argv, "AddMember"),
  "change-member": (argv) => memberCommand(argv, "ChangeMemberAccessLevel"),
  "remove-member": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { group: "string", user: "string" })
      const group = yield* requireGroupAt(yield* requireString(f, "group"))
      const user = yield* requireUserNamed(yield* requireString(f, "user"))
      yield* changeGroup(group.groupId, { _tag: "RemoveMember", userId: user.userId })
      return { group_id: group.groupId, user_id: user.userId, removed: true }
    }),
  "update-settings": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, {
        group: "string",
        enabled: "string",
        identity: "string",
        secret: "string",
        "ttl-enabled": "string",
        ttl: "string",
        "sso-enforced": "string",
        "serve-stale-on-not-found": "string",
        "manifest-check-interval": "string"
      })
      const group = yield* requireGroupAt(yield* requireString(f, "group"))
      const enabled = yield* optionalBoolean(f, "enabled")
      const identity = optionalString(f, "identity")
      const secret = optionalString(f, "secret")
      if (enabled !== undefined || identity !== undefined || secret !== undefined) {
        yield* updateDependencyProxySettings(group.groupId, { enabled, identity, secret })
      }
      const ttlEnabled = yield* optionalBoolean(f, "ttl-enabled")
      const ttl = yield* optionalInteger(f, "ttl")
      if (ttlEnabled !== undefined || ttl !== undefined) {
        yield* changeGroup(group.groupId, { _tag: "UpdateImageTtlPolicy", enabled: ttlEnabled, ttlDays: ttl })
      }
      const sso = yield* optionalBoolean(f, "sso-enforced")
      if (sso !== undefined) yield* changeGroup(group.groupId, { _tag: "SetSsoEnforcement", enforced: sso })
      const stale = yield* optionalBoolean(f, "serve-stale-on-not-found")
      if (stale !== undefined) yield* changeGroup(group.groupId, { _tag: "SetServeStaleOnNotFound", enabled: stale })
      const interval = yield* optionalInteger(f, "manifest-check-interval")
      if (interval !== undefined) yield* changeGroup(group.groupId, { _tag: "SetManifestCheckInterval", seconds: interval })
      return { group_id: group.groupId, updated: true }
    }),
  "create-token": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, {
        kind: "string",
        user: "string",
        group: "string",
        name: "string",
        scopes: "string",
        username: "string",
        "access-level": "string",
        "expires-at": "string"
      })
      const kind = yield* requireString(f, "kind")
      const expiresAt = yield* optionalDate(f, "expires-at")
      const name = optionalString(f, "name") ?? `${kind} token`
      const scopeList = scopes(optionalString(f, "scopes") ?? "")
      switch (kind) {
        case "personal": {
          const user = yield* requireUserNamed(yield* requireString(f, "user"))
          return yield* createPersonalAccessToken({ userId: user.userId, name, scopes: scopeList, expiresAt })
        }
        case "deploy": {
          const group = yield* requireGroupAt(yield* requireString(f, "group"))
          return yield* createDeployToken({ groupId: group.groupId, name, username: optionalString(f, "username") ?? null, scopes: scopeList, expiresAt })
        }
        case "group_access": {
          const group = yield* requireGroupAt(yield* requireString(f, "group"))
          const level = yield* accessLevel(optionalString(f, "access-level") ?? "guest")
          return yield* createGroupAccessToken({ groupId: group.groupId, name, scopes: scopeList, accessLevel: level, expiresAt })
        }
        case "job": {
          const group = yield* requireGroupAt(yield* requireString(f, "group"))
          const user = yield* requireUserNamed(yield* requireString(f, "user"))
          return yield* createJobToken({ userId: user.userId, groupId: group.groupId, ...(expiresAt === null ? {} : { expiresAt }) })
        }
        default:
          return yield* Effect.fail(new UsageError({ message: `--kind must be personal, deploy, group_access or job (got ${kind})` }))
      }
    }),
  "revoke-token": (argv) =>
    parseFlags(argv, { id: "string" }).pipe(
      Effect.flatMap((f) => requireInteger(f, "id")),
      Effect.tap(revokeToken),
      Effect.map((id) => ({ id, revoked: true }))
    ),
  "finish-job": (argv) =>
    parseFlags(argv, { id: "string" }).pipe(
      Effect.flatMap((f) => requireInteger(f, "id")),
      Effect.tap(finishJob),
      Effect.map((id) => ({ id, finished: true }))
    ),
  "list-users": (argv) =>
    parseFlags(argv, {}).pipe(
      Effect.zipRight(allUsers),
      Effect.map((users) =>
        [...users].sort((a, b) => a.userId - b.userId).map((u) => ({ id: u.userId, username: u.username, admin: u.admin, bot: u.bot, blocked: u.blocked, two_factor_enabled: u.twoFactorEnabled }))
      )
    ),
  "list-groups": (argv) =>
    parseFlags(argv, {}).pipe(
      Effect.zipRight(allGroups),
      Effect.map((groups) =>
        [...groups].sort((a, b) => a.groupId - b.groupId).map((g) => ({ id: g.groupId, full_path: g.fullPath, parent_id: g.parentId, dependency_proxy_enabled: g.settings.enabled }))
      )
    ),
  "instance-settings": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { "users-may-create-groups": "string", "max-token-lifetime-days": "string", "dependency-proxy-enabled": "string" })
      const settings = yield* updateInstanceSettings({
        usersMayCreateGroups: yield* optionalBoolean(f, "users-may-create-groups"),
        maxTokenLifetimeDays: yield* optionalInteger(f, "max-token-lifetime-days"),
        dependencyProxyEnabled: yield* optionalBoolean(f, "dependency-proxy-enabled")
      })
      return {
        users_may_create_groups: settings.usersMayCreateGroups,
        max_token_lifetime_days: settings.maxTokenLifetimeDays,
        dependency_proxy_enabled: settings.dependencyProxyEnabled
      }
    }),
  "start-sso-session": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { user: "string", group: "string", "expires-at": "string" })
      const user = yield* requireUserNamed(yield* requireString(f, "user"))
      const group = yield* requireGroupAt(yield* requireString(f, "group"))
      const expiresAt = yield* optionalDate(f, "expires-at")
      yield* startSsoSession({ userId: user.userId, groupId: group.groupId, expiresAt })
      return { user_id: user.userId, group_id: group.groupId, started: true }
    })
}

const memberCommand = (argv: ReadonlyArray<string>, tag: "AddMember" | "ChangeMemberAccessLevel") =>
  Effect.gen(function*() {
    const f = yield* parseFlags(argv, { group: "string", user: "string", "access-level": "string" })
    const group = yield* requireGroupAt(yield* requireString(f, "group"))
    const user = yield* requireUserNamed(yield* requireString(f, "user"))
    const level = yield* accessLevel(yield* requireString(f, "access-level"))
    yield* changeGroup(group.groupId, { _tag: tag, userId: user.userId, accessLevel: level })
    return { group_id: group.groupId, user_id: user.userId, access_level: level }
  })
