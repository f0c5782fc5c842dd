import { Effect, Schema } from "effect"
import { requireOwner, roleIn, visibleGroup } from "../../../application/api/permissions.js"
import { createGroup } from "../../../application/useCases/groups.js"
import { AccessLevels } from "../../../domain/AccessLevel.js"
import type { GroupView } from "../../../domain/views.js"
import { created, ok } from "./apiResponse.js"
import type { ApiContext, ApiRouter } from "./apiRoute.js"
import { currentState, justCreated } from "./freshView.js"
import { visibleGroupParam } from "./groupAccess.js"
import { groupJson } from "./groupJson.js"
import { decodeParams, IdParam, optional, TextParam } from "./params.js"

const NewGroup = Schema.Struct({ name: TextParam, path: TextParam, parent_id: optional(IdParam) })

const byName = (a: GroupView, b: GroupView) => a.name.localeCompare(b.name) || a.groupId - b.groupId

const visibleTo = (context: ApiContext) => (group: GroupView) => roleIn(context.state, context.actor, group) >= AccessLevels.guest

/**
 * A top-level group may be created by anyone with the `api` scope (GitLab's default); a subgroup by an Owner
 * of its parent (or an admin). The creator becomes the new group's Owner.
 */
const create = (context: ApiContext) =>
  Effect.gen(function*() {
    const input = yield* decodeParams(NewGroup, context.request.body)
    if (input.parent_id !== undefined) {
      const parent = yield* visibleGroup(context.state, context.actor, context.state.group(input.parent_id))
      yield* requireOwner(context.state, context.actor, parent)
    }
    const groupId = yield* createGroup({
      path: input.path,
      name: input.name,
      parentId: input.parent_id ?? null,
      ownerUserId: context.actor.user.userId
    })
    return yield* justCreated((yield* currentState).group(groupId), `group ${groupId}`)
  })

/** Groups: create (with a parent), list the visible ones, get one by id or URL-encoded full path. */
export const registerGroupRoutes = (router: ApiRouter, externalUrl: string) => {
  router.post("/groups", "write", (context) => create(context).pipe(Effect.map((group) => created(groupJson(group, externalUrl)))))

  router.get("/groups", "read", (context) =>
    Effect.succeed(ok(context.state.allGroups().filter(visibleTo(context)).sort(byName).map((g) => groupJson(g, externalUrl)))))

  router.get("/groups/:id", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.map((group) => ok(groupJson(group, externalUrl)))))

  router.get("/groups/:id/subgroups", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.map((parent) =>
      ok(context.state.allGroups()
        // Whoever sees the parent sees its children: roles are inherited downwards.
        .filter((g) => g.parentId === parent.groupId)
        .sort(byName)
        .map((g) => groupJson(g, externalUrl))))))
}
