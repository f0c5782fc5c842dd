import { Effect, Option, Schema } from "effect"
import { requireOwner, roleIn, visibleGroup } from "../../../application/api/permissions.js"
import { purgeDeletedGroups } from "../../../application/cache/cleanup.js"
import { deleteGroup } from "../../../application/useCases/deleteGroup.js"
import { createGroup } from "../../../application/useCases/groups.js"
import { updateGroup } from "../../../application/useCases/updateGroup.js"
import { AccessLevels } from "../../../domain/AccessLevel.js"
import type { GroupView } from "../../../domain/views.js"
import { validateVisibility } from "../../../domain/group/GroupVisibility.js"
import { accepted, created, ok } from "./apiResponse.js"
import type { ApiContext, ApiRouter } from "./apiRoute.js"
import { justCreated } from "./freshView.js"
import { visibleGroupParam } from "./groupAccess.js"
import { groupJson } from "./groupJson.js"
import { inBackground } from "../../edge/inBackground.js"
import { GroupFilter, matchesSearch } from "./listFilters.js"
import { paginated } from "./pagination.js"
import { decodeParams, IdParam, optional, TextParam } from "./params.js"

// GitLab takes many more; the others have no meaning here and are ignored, as grape ignores unknown ones.
const GroupDetails = {
  name: optional(TextParam),
  path: optional(TextParam),
  description: optional(TextParam),
  visibility: optional(TextParam)
}
const NewGroup = Schema.Struct({ ...GroupDetails, name: TextParam, path: TextParam, parent_id: optional(IdParam) })
const GroupUpdate = Schema.Struct(GroupDetails)

const byName = (a: GroupView, b: GroupView) => a.name.localeCompare(b.name) || a.groupId - b.groupId

const visibleTo = (context: ApiContext) => (group: GroupView) => roleIn(context.state, context.actor, group) >= AccessLevels.guest

/**
 * The caller's own role from memberships, direct or inherited. `owned` and `min_access_level` ask about
 * membership, as GitLab's do: an administrator sees every group but owns only their own.
 */
const memberRole = (context: ApiContext, group: GroupView, direct: boolean) => {
  const memberships = context.state.membershipsOf(context.actor.user.userId)
  const ids = direct ? [group.groupId] : [group.groupId, ...group.ancestorIds]
  return Math.max(0, ...ids.map((id) => memberships.get(id) ?? 0))
}

/** A group as JSON, its `full_name` from its ancestors' names in the caller's view. */
const shownGroup = (context: ApiContext) => (group: GroupView) =>
  groupJson(group, context.externalUrl, (id) => Option.match(context.state.group(id), { onNone: () => String(id), onSome: (g) => g.name }))

/** `/groups`, `/subgroups` and `/descendant_groups` take the same filters, then a page. */
const listGroups = (context: ApiContext, groups: ReadonlyArray<GroupView>) =>
  Effect.gen(function*() {
    const filter = yield* decodeParams(GroupFilter, context.request.query)
    const shown = groups.filter((g) =>
      visibleTo(context)(g) &&
      matchesSearch(filter.search, g.name, g.path) &&
      (filter.top_level_only !== true || g.parentId === null) &&
      (filter.owned !== true || memberRole(context, g, true) >= AccessLevels.owner) &&
      (filter.min_access_level === undefined || memberRole(context, g, false) >= filter.min_access_level))
    return yield* paginated(context, [...shown].sort(byName), (g) => shownGroup(context)(g))
  })

/**
 * A top-level group may be created by anyone with the `api` scope (GitLab's default); a subgroup by an Owner
 * of its parent (or an admin). The creator becomes the new group's Owner.
 */
const create = (context: ApiContext) =>
  Effect.gen(function*() {
    const input = yield* decodeParams(NewGroup, context.request.body)
    if (input.visibility !== undefined) yield* validateVisibility(input.visibility)
    if (input.parent_id !== undefined) {
      const parent = yield* visibleGroup(context.state, context.actor, context.state.group(input.parent_id))
      yield* requireOwner(context.state, context.actor, parent)
    }
    const groupId = yield* createGroup({
      path: input.path,
      name: input.name,
      description: input.description,
      parentId: input.parent_id ?? null,
      ownerUserId: context.actor.user.userId
    })
    return yield* justCreated((state) => state.group(groupId), `group ${groupId}`)
  })

/** Groups: create (with a parent), list the visible ones, get one by id or URL-encoded full path. */
export const registerGroupRoutes = (router: ApiRouter, externalUrl: string) => {
  router.post("/groups", "write", (context) => create(context).pipe(Effect.map((group) => created(shownGroup(context)(group)))))

  router.get("/groups", "read", (context) => listGroups(context, context.state.allGroups()))

  // Owners change the name, description and path (subgroups follow; pulls through the old prefix stop).
  router.put("/groups/:id", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* visibleGroupParam(context)
      const input = yield* decodeParams(GroupUpdate, context.request.body)
      yield* updateGroup(group.groupId, input)
      return ok(shownGroup(context)(yield* justCreated((state) => state.group(group.groupId), `group ${group.groupId}`)))
    }))

  // As GitLab: 202, the group and its subgroups gone when answered; their cached content purged after.
  router.delete("/groups/:id", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* visibleGroupParam(context)
      const deleted = yield* deleteGroup(group.groupId)
      yield* inBackground(`purging the cache of deleted group ${group.groupId}`, purgeDeletedGroups(deleted))
      return accepted
    }))

  router.get("/groups/:id", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.map((group) => ok(shownGroup(context)(group)))))

  // Whoever sees a group sees its descendants: roles are inherited downwards.
  router.get("/groups/:id/subgroups", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.flatMap((parent) =>
      listGroups(context, context.state.allGroups().filter((g) => g.parentId === parent.groupId)))))

  router.get("/groups/:id/descendant_groups", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.flatMap((ancestor) =>
      listGroups(context, context.state.allGroups().filter((g) => g.ancestorIds.includes(ancestor.groupId))))))
}
