import { Effect, Schema } from "effect"
import { requireAdmin } from "../../../application/api/permissions.js"
import { allUsers } from "../../../application/queries.js"
import { createUser } from "../../../application/useCases/users.js"
import { created, ok } from "./apiResponse.js"
import type { ApiRouter } from "./apiRoute.js"
import { justCreated } from "./freshView.js"
import { matchesSearch, UserFilter } from "./listFilters.js"
import { paginated } from "./pagination.js"
import { decodeParams, FlagParam, TextParam } from "./params.js"
import { userInPath } from "./userAccess.js"
import { userJson } from "./userJson.js"

const NewUser = Schema.Struct({
  username: TextParam,
  email: TextParam,
  name: TextParam,
  password: TextParam,
  admin: Schema.optionalWith(FlagParam, { nullable: true, default: () => false })
})


/** Users (SPEC §7): admins create and list users; everyone reads themself. */
export const registerUserRoutes = (router: ApiRouter) => {
  router.post("/users", "write", (context) =>
    Effect.gen(function*() {
      yield* requireAdmin(context.actor)
      const input = yield* decodeParams(NewUser, context.request.body)
      const userId = yield* createUser(input)
      const user = yield* justCreated((state) => state.user(userId), `user ${userId}`)
      return created(userJson(user, context.actor, context.externalUrl))
    }))

  // GitLab lists every user to every signed-in user; here others' accounts are an admin's business.
  router.get("/users", "read", (context) =>
    Effect.gen(function*() {
      const filter = yield* decodeParams(UserFilter, context.request.query)
      const everyone = context.actor.user.admin ? [...(yield* allUsers)].sort((a, b) => a.userId - b.userId) : [context.actor.user]
      const wanted = filter.username?.toLowerCase()
      const shown = everyone.filter((u) =>
        (wanted === undefined || u.username.toLowerCase() === wanted) &&
        // GitLab searches email too, but only an admin's search: others would learn addresses from it.
        matchesSearch(filter.search, u.username, u.name, ...(context.actor.user.admin ? [u.email] : [])) &&
        (filter.active !== true || !u.blocked) &&
        (filter.blocked !== true || u.blocked))
      return yield* paginated(context, shown, (u) => userJson(u, context.actor, context.externalUrl))
    }))

  router.get("/user", "read", (context) => Effect.succeed(ok(userJson(context.actor.user, context.actor, context.externalUrl))))

  router.get("/users/:id", "read", (context) => userInPath(context).pipe(Effect.map((user) => ok(userJson(user, context.actor, context.externalUrl)))))
}
