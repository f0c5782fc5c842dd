import { Clock, Effect, Option } from "effect"
import { purgeDeletedGroups } from "../../application/cache/cleanup.js"
import { allGroups, groupById } from "../../application/queries.js"
import { deleteGroup } from "../../application/useCases/deleteGroup.js"
import { updateGroup } from "../../application/useCases/updateGroup.js"
import { requireGroupAt, requireUserNamed } from "../../application/resolve.js"
import { changeGroup, changeGroupSettings, createGroup, type GroupSettingCommand } from "../../application/useCases/groups.js"
import { accessLevel, type Subcommand } from "./adminSubcommand.js"
import { optionalBoolean, optionalInteger, optionalString, parseFlags, requireString, UsageError } from "./args.js"

/** Groups: create, change, delete, members, Dependency Proxy settings, list. */
export const groupCommands: Readonly<Record<string, Subcommand>> = {
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
  // As REST's PUT /groups/:id: one append, a new path moving the subgroups with it.
  "update-group": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { group: "string", name: "string", path: "string", description: "string" })
      const group = yield* requireGroupAt(yield* requireString(f, "group"))
      const change = { name: optionalString(f, "name"), path: optionalString(f, "path"), description: optionalString(f, "description") }
      if (Object.values(change).every((value) => value === undefined)) {
        return yield* new UsageError({ message: "update-group needs --name, --path or --description" })
      }
      yield* updateGroup(group.groupId, change)
      // As it now is, read back: the path as the decider wrote it, not as it was typed.
      const updated = yield* groupById(group.groupId)
      return { id: group.groupId, full_path: Option.match(updated, { onNone: () => null, onSome: (g) => g.fullPath }) }
    }),
  // As REST's DELETE /groups/:id, but the cache is purged before the command ends: nothing runs on after it.
  "delete-group": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { group: "string" })
      const group = yield* requireGroupAt(yield* requireString(f, "group"))
      const deleted = yield* deleteGroup(group.groupId)
      yield* purgeDeletedGroups(deleted)
      return { deleted_group_ids: [...deleted].sort((a, b) => a - b) }
    }),
  "add-member": (argv) => memberCommand(argv, "AddMember"),
  "change-member": (argv) => memberCommand(argv, "ChangeMemberAccessLevel"),
  "remove-member": (argv) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { group: "string", user: "string" })
      const group = yield* requireGroupAt(yield* requireString(f, "group"))
      const user = yield* requireUserNamed(yield* requireString(f, "user"))
      yield* changeGroup(group.groupId, { _tag: "RemoveMember", userId: user.userId, now: new Date(yield* Clock.currentTimeMillis) })
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
      // Every flag read before anything is decided, and every change decided together (one append): a bad flag
      // or a refused change leaves the group as it was, as exit code 2 promises.
      const enabled = yield* optionalBoolean(f, "enabled")
      const identity = optionalString(f, "identity")
      const secret = optionalString(f, "secret")
      const ttlEnabled = yield* optionalBoolean(f, "ttl-enabled")
      const ttl = yield* optionalInteger(f, "ttl")
      const sso = yield* optionalBoolean(f, "sso-enforced")
      const stale = yield* optionalBoolean(f, "serve-stale-on-not-found")
      const interval = yield* optionalInteger(f, "manifest-check-interval")
      const others: Array<GroupSettingCommand> = []
      if (ttlEnabled !== undefined || ttl !== undefined) others.push({ _tag: "UpdateImageTtlPolicy", enabled: ttlEnabled, ttlDays: ttl })
      if (sso !== undefined) others.push({ _tag: "SetSsoEnforcement", enforced: sso })
      if (stale !== undefined) others.push({ _tag: "SetServeStaleOnNotFound", enabled: stale })
      if (interval !== undefined) others.push({ _tag: "SetManifestCheckInterval", seconds: interval })
      const proxy = enabled !== undefined || identity !== undefined || secret !== undefined ? { enabled, identity, secret } : undefined
      if (proxy !== undefined || others.length > 0) yield* changeGroupSettings(group.groupId, proxy, others)
      return { group_id: group.groupId, updated: true }
    }),
  "list-groups": (argv) =>
    parseFlags(argv, {}).pipe(
      Effect.zipRight(allGroups),
      Effect.map((groups) =>
        [...groups].sort((a, b) => a.groupId - b.groupId).map((g) => ({ id: g.groupId, full_path: g.fullPath, parent_id: g.parentId, dependency_proxy_enabled: g.settings.enabled }))
      )
    )
}

const memberCommand = (argv: ReadonlyArray<string>, tag: "AddMember" | "ChangeMemberAccessLevel") =>
  Effect.gen(function*() {
    const f = yield* parseFlags(argv, { group: "string", user: "string", "access-level": "string" })
    const group = yield* requireGroupAt(yield* requireString(f, "group"))
    const user = yield* requireUserNamed(yield* requireString(f, "user"))
    const level = yield* accessLevel(yield* requireString(f, "access-level"))
    yield* changeGroup(
      group.groupId,
      tag === "AddMember"
        ? { _tag: tag, userId: user.userId, accessLevel: level }
        : { _tag: tag, userId: user.userId, accessLevel: level, now: new Date(yield* Clock.currentTimeMillis) }
    )
    return { group_id: group.groupId, user_id: user.userId, access_level: level }
  })
