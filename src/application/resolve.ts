import { Effect, Option } from "effect"
import { GroupNotFound, UserNotFound } from "../domain/errors.js"
import { groupByPath, userByUsername } from "./queries.js"

/** A user by username, or `UserNotFound` naming it. */
export const requireUserNamed = (username: string) =>
  userByUsername(username).pipe(Effect.flatMap(Option.match({
    onNone: () => Effect.fail(new UserNotFound({ user: username })),
    onSome: Effect.succeed
  })))

/** A group by full path (case-insensitive), or `GroupNotFound` naming it. */
export const requireGroupAt = (fullPath: string) =>
  groupByPath(fullPath).pipe(Effect.flatMap(Option.match({
    onNone: () => Effect.fail(new GroupNotFound({ group: fullPath })),
    onSome: Effect.succeed
  })))
