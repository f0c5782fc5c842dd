import { Effect, Option, Schema } from "effect"
import { allMemberships, allUsers } from "../../../application/queries.js"
import { changeGroup } from "../../../application/useCases/groups.js"
import type { GroupView } from "../../../domain/views.js"
import { ApiNotFound } from "./apiErrors.js"
import { created, noContent, ok } from "./apiResponse.js"
import type { ApiContext, ApiRouter } from "./apiRoute.js"
import { ownedGroupParam, visibleGroupParam } from "./groupAccess.js"
import { memberJson } from "./groupJson.js"
import { AccessLevelParam, decodeParams, IdParam } from "./params.js"
import { pathId } from "./pathParams.js"

const NewMember = Schema.Struct({ user_id: IdParam, access_level: AccessLevelParam })
const RoleChange = Schema.Struct({ access_level: AccessLevelParam })

/**
 * Memberships of the given groups, each with its user, as member JSON. Memberships are read before users:
 * a user exists before anyone can be made a member, so every membership finds its user; one that does not
 * is logged and left out rather than failing the whole listing.
 */
const membersIn = (groupIds: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const memberships = (yield* allMemberships).filter((m) => groupIds.includes(m.groupId))
    const users = new Map((yield* allUsers).map((u) => [u.userId, u]))
    const shown: Array<ReturnType<typeof memberJson>> = []
    for (const membership of memberships) {
      const user = users.get(membership.userId)
      if (user === undefined) yield* Effect.logWarning(`membership of group ${membership.groupId} names missing user ${membership.userId}`)
      else shown.push(memberJson(membership, user))
    }
    return shown
  })

/** Direct members, by user id. */
const directMembers = (group: GroupView) =>
  membersIn([group.groupId]).pipe(Effect.map((all) => all.sort((a, b) => a.id - b.id)))

/** Direct and inherited members; a user's highest role wins, as GitLab's `members/all`. */
const allMembers = (group: GroupView) =>
  membersIn([group.groupId, ...group.ancestorIds]).pipe(Effect.map((all) => {
    const best = new Map<number, ReturnType<typeof memberJson>>()
    for (const json of all) {
      const current = best.get(json.id)
      if (current === undefined || json.access_level > current.access_level) best.set(json.id, json)
    }
    return [...best.values()].sort((a, b) => a.id - b.id)
  }))

const memberOf = (group: GroupView, userId: number) =>
  directMembers(group).pipe(Effect.flatMap((members) =>
    Option.match(Option.fromNullable(members.find((m) => m.id === userId)), {
      onNone: () => Effect.fail(new ApiNotFound({ what: "Member" })),
      onSome: Effect.succeed
    })))

const memberInPath = (context: ApiContext, group: GroupView) =>
  pathId(context.request, "user_id", "Member").pipe(Effect.flatMap((userId) => memberOf(group, userId)))

/** Group members: Guests and up list them; changes need Owner (GitLab 17+ for the dependency proxy's groups). */
export const registerMemberRoutes = (router: ApiRouter) => {
  router.get("/groups/:id/members", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.flatMap(directMembers), Effect.map(ok)))

  router.get("/groups/:id/members/all", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.flatMap(allMembers), Effect.map(ok)))

  router.get("/groups/:id/members/:user_id", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.flatMap((group) => memberInPath(context, group)), Effect.map(ok)))

  router.post("/groups/:id/members", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* ownedGroupParam(context)
      const input = yield* decodeParams(NewMember, context.request.body)
      if (Option.isNone(context.state.user(input.user_id))) return yield* new ApiNotFound({ what: "User" })
      yield* changeGroup(group.groupId, { _tag: "AddMember", userId: input.user_id, accessLevel: input.access_level })
      return created(yield* memberOf(group, input.user_id))
    }))

  router.put("/groups/:id/members/:user_id", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* ownedGroupParam(context)
      const member = yield* memberInPath(context, group)
      const input = yield* decodeParams(RoleChange, context.request.body)
      yield* changeGroup(group.groupId, { _tag: "ChangeMemberAccessLevel", userId: member.id, accessLevel: input.access_level })
      return ok(yield* memberOf(group, member.id))
    }))

  router.delete("/groups/:id/members/:user_id", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* ownedGroupParam(context)
      const member = yield* memberInPath(context, group)
      yield* changeGroup(group.groupId, { _tag: "RemoveMember", userId: member.id })
      return noContent
    }))
}
