import { Effect, Option } from "effect"
import type { UserView } from "../../../domain/views.js"
import { ApiNotFound } from "./apiErrors.js"
import type { ApiContext } from "./apiRoute.js"
import { pathId } from "./pathParams.js"

/** The user `:id` names: admins see anyone, others only themselves; everyone else is "404 User Not Found". */
export const userInPath = (context: ApiContext): Effect.Effect<UserView, ApiNotFound> =>
  pathId(context.request, "id", "User").pipe(Effect.flatMap((id) =>
    Option.match(Option.filter(context.state.user(id), (u) => context.actor.user.admin || u.userId === context.actor.user.userId), {
      onNone: () => Effect.fail(new ApiNotFound({ what: "User" })),
      onSome: Effect.succeed
    })))
