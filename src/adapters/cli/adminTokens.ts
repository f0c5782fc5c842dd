import { Effect } from "effect"
import { requireGroupAt, requireUserNamed } from "../../application/resolve.js"
import { createDeployToken, createGroupAccessToken, createPersonalAccessToken } from "../../application/useCases/accessTokens.js"
import { createJobToken } from "../../application/useCases/jobTokens.js"
import { finishJob, revokeToken } from "../../application/useCases/tokenLifecycle.js"
import { accessLevel, type Subcommand } from "./adminSubcommand.js"
import { optionalDate, optionalString, parseFlags, requireInteger, requireString, UsageError } from "./args.js"

const scopes = (value: string) => value.split(",").map((s) => s.trim()).filter((s) => s !== "")

/** Tokens of every kind: create, revoke, and end a CI job's. */
export const tokenCommands: Readonly<Record<string, Subcommand>> = {
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
    )
}
