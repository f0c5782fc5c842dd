import { Effect, Option } from "effect"
import { userByUsername } from "../queries.js"
import { createUser } from "./users.js"

export const ROOT_USERNAME = "root"

/**
 * The first start creates the instance admin `root`. `password` is asked for only then, so a generated
 * password is written once. Two replicas starting together race on the username claim; the loser finds
 * root already there.
 */
export const bootstrapRoot = <E, R>(password: Effect.Effect<string, E, R>) =>
  userByUsername(ROOT_USERNAME).pipe(
    Effect.flatMap(Option.match({
      onSome: (root) => Effect.succeed({ created: false, userId: root.userId }),
      onNone: () =>
        password.pipe(
          Effect.flatMap((p) =>
            createUser({ username: ROOT_USERNAME, email: "admin@example.com", name: "Administrator", password: p, admin: true })
          ),
          Effect.map((userId) => ({ created: true, userId })),
          Effect.catchTag("NameTaken", () =>
            userByUsername(ROOT_USERNAME).pipe(
              Effect.flatMap(Option.match({
                onNone: () => Effect.dieMessage("root's username is claimed but root does not exist"),
                onSome: (root) => Effect.succeed({ created: false, userId: root.userId })
              }))
            ))
        )
    }))
  )
