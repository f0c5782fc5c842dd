import { Effect } from "effect"
import { allUsers } from "../../application/queries.js"
import { requireUserNamed } from "../../application/resolve.js"
import { changeUser, createUser } from "../../application/useCases/users.js"
import type { Subcommand } from "./adminSubcommand.js"
import { optionalBoolean, optionalString, parseFlags, requireString } from "./args.js"

const userFlag = { user: "string" } as const

/** Users: create, block and unblock, two-factor, list. */
export const userCommands: Readonly<Record<string, Subcommand>> = {
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
  "list-users": (argv) =>
    parseFlags(argv, {}).pipe(
      Effect.zipRight(allUsers),
      Effect.map((users) =>
        [...users].sort((a, b) => a.userId - b.userId).map((u) => ({ id: u.userId, username: u.username, admin: u.admin, bot: u.bot, blocked: u.blocked, two_factor_enabled: u.twoFactorEnabled }))
      )
    )
}
