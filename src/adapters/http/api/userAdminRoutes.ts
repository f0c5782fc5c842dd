import { Effect, Option, Schema } from "effect"
import { requireAdmin } from "../../../application/api/permissions.js"
import { deleteUser } from "../../../application/useCases/deleteUser.js"
import { changeUser } from "../../../application/useCases/users.js"
import type { UserView } from "../../../domain/views.js"
import { ApiBadRequest, type ApiFailure, ApiForbidden } from "./apiErrors.js"
import { created, noContent } from "./apiResponse.js"
import type { ApiContext, ApiEnv, ApiRouter } from "./apiRoute.js"
import { paginated } from "./pagination.js"
import { ChoiceParam, decodeParams, optional } from "./params.js"
import { userInPath } from "./userAccess.js"

// `type=Project` finds nothing here, but is a valid question.
const MembershipFilter = Schema.Struct({ type: optional(ChoiceParam("Project", "Namespace")) })

/** An admin's action on the user `:id` names (404 if none). */
const adminAction = <A>(context: ApiContext, action: (user: UserView) => Effect.Effect<A, ApiFailure, ApiEnv>) =>
  requireAdmin(context.actor).pipe(Effect.zipRight(userInPath(context)), Effect.flatMap(action))

/** Blocking (answered with GitLab's `201 true`) and two-factor authentication (204), for admins. */
export const registerUserAdminRoutes = (router: ApiRouter) => {
  // GitLab's shape; groups are GitLab's namespaces (there are no projects here). Direct memberships only.
  router.get("/users/:id/memberships", "read", (context) =>
    adminAction(context, (user) =>
      Effect.gen(function*() {
        const filter = yield* decodeParams(MembershipFilter, context.request.query)
        const memberships = [...(filter.type === "Project" ? [] : context.state.membershipsOf(user.userId))]
          .flatMap(([groupId, accessLevel]) => Option.toArray(Option.map(context.state.group(groupId), (group) => ({ group, accessLevel }))))
          .sort((a, b) => a.group.groupId - b.group.groupId)
        return yield* paginated(context, memberships, ({ accessLevel, group }) => ({
          source_id: group.groupId,
          source_name: group.name,
          source_type: "Namespace",
          access_level: accessLevel
        }))
      })))

  router.post("/users/:id/block", "write", (context) =>
    adminAction(context, (user) =>
      // Blocking oneself would lock the caller, perhaps the last admin, out of the API they are using.
      user.userId === context.actor.user.userId
        ? Effect.fail(new ApiForbidden({ reason: "cannot block oneself" }))
        : changeUser(user.userId, { _tag: "BlockUser" })).pipe(Effect.as(created(true))))

  // GitLab answers 204 and deletes in the background; here it is one atomic append, done when answered.
  router.delete("/users/:id", "write", (context) =>
    adminAction(context, (user) => deleteUser(user.userId)).pipe(Effect.as(noContent)))

  router.post("/users/:id/unblock", "write", (context) =>
    adminAction(context, (user) => changeUser(user.userId, { _tag: "UnblockUser" })).pipe(Effect.as(created(true))))

  router.patch("/users/:id/disable_two_factor", "write", (context) =>
    adminAction(context, (user) =>
      user.twoFactorEnabled
        ? changeUser(user.userId, { _tag: "SetTwoFactor", enabled: false })
        : Effect.fail(new ApiBadRequest({ message: "Two-factor authentication is not enabled for this user" }))).pipe(Effect.as(noContent)))

  // Not in GitLab's API (users enrol themselves there); here an admin stands in for the enrolment.
  router.patch("/users/:id/enable_two_factor", "write", (context) =>
    adminAction(context, (user) =>
      user.twoFactorEnabled
        ? Effect.fail(new ApiBadRequest({ message: "Two-factor authentication is already enabled for this user" }))
        : changeUser(user.userId, { _tag: "SetTwoFactor", enabled: true })).pipe(Effect.as(noContent)))
}
