import { Effect } from "effect"
import { requireGroupAt, requireUserNamed } from "../../application/resolve.js"
import { updateInstanceSettings } from "../../application/useCases/instance.js"
import { startSsoSession } from "../../application/useCases/sso.js"
import { groupCommands } from "./adminGroups.js"
import type { Subcommand } from "./adminSubcommand.js"
import { tokenCommands } from "./adminTokens.js"
import { userCommands } from "./adminUsers.js"
import { optionalBoolean, optionalDate, optionalInteger, parseFlags, requireString } from "./args.js"

/** `dependency-proxy admin <subcommand> --flags`: bootstrap and user, group and token management. */
export const adminCommands: Readonly<Record<string, Subcommand>> = {
  ...userCommands,
  ...groupCommands,
  ...tokenCommands,
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
