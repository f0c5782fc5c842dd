import { Effect, Option } from "effect"
import { roleIn, requireOwner, visibleGroup } from "../../../application/api/permissions.js"
import { AccessLevels } from "../../../domain/AccessLevel.js"
import type { GroupView } from "../../../domain/views.js"
import type { ApiNotFound } from "./apiErrors.js"
import type { ApiContext } from "./apiRoute.js"
import { pathParam } from "./pathParams.js"

/** `:id` of a group route: an integer id or a URL-encoded full path (`top%2Fsub`), as in GitLab. */
const groupNamed = (context: ApiContext, raw: string): Option.Option<GroupView> =>
  /^\d{1,15}$/.test(raw) ? context.state.group(Number(raw)) : context.state.groupAt(raw)

/** The group in the path, if the caller can see it (Guest or more, or admin); otherwise 404. */
export const visibleGroupParam = (context: ApiContext, name = "id"): Effect.Effect<GroupView, ApiNotFound> =>
  visibleGroup(context.state, context.actor, groupNamed(context, pathParam(context.request, name)))

/** The group in the path, for a caller who must be its Owner (inherited or admin): 404 if unseen, 403 if not Owner. */
export const ownedGroupParam = (context: ApiContext, name = "id") =>
  visibleGroupParam(context, name).pipe(Effect.tap((group) => requireOwner(context.state, context.actor, group)))

export const isOwnerOf = (context: ApiContext, group: GroupView): boolean =>
  roleIn(context.state, context.actor, group) >= AccessLevels.owner
