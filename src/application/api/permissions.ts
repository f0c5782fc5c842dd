import { Effect, Option } from "effect"
import { AccessLevels } from "../../domain/AccessLevel.js"
import type { GroupView } from "../../domain/views.js"
import type { LiveState } from "../LiveView.js"
import type { ApiActor } from "./apiActor.js"
import { ApiForbidden, ApiNotFound } from "./errors.js"

/** The actor's role on a group, direct or inherited from an ancestor (0 for none). Admins count as Owner. */
export const roleIn = (state: LiveState, actor: ApiActor, group: GroupView): number => {
  if (actor.user.admin) return AccessLevels.owner
  const memberships = state.membershipsOf(actor.user.userId)
  return Math.max(0, ...[group.groupId, ...group.ancestorIds].map((id) => memberships.get(id) ?? 0))
}

/** A group the actor can see (Guest or more, or admin); others are "404 Group Not Found", as in GitLab. */
export const visibleGroup = (state: LiveState, actor: ApiActor, group: Option.Option<GroupView>): Effect.Effect<GroupView, ApiNotFound> =>
  Option.match(group, {
    onNone: () => Effect.fail(new ApiNotFound({ what: "Group" })),
    onSome: (g) => (roleIn(state, actor, g) >= AccessLevels.guest ? Effect.succeed(g) : Effect.fail(new ApiNotFound({ what: "Group" })))
  })

/** Managing the dependency proxy, members and tokens of a group needs Owner (GitLab 17.0+). */
export const requireOwner = (state: LiveState, actor: ApiActor, group: GroupView) =>
  roleIn(state, actor, group) >= AccessLevels.owner ? Effect.void : Effect.fail(new ApiForbidden({ reason: "Owner role required" }))

export const requireAdmin = (actor: ApiActor) =>
  actor.user.admin ? Effect.void : Effect.fail(new ApiForbidden({ reason: "administrator required" }))
