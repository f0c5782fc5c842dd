import type { FastifyInstance } from "fastify"
import { roleIn } from "../../../application/api/permissions.js"
import { mayCreateTopLevelGroup } from "../../../domain/auth/managementRules.js"
import { AccessLevels } from "../../../domain/AccessLevel.js"
import { noticeFrom } from "../notices.js"
import { requireSignIn, viewerOf } from "../requireSignIn.js"
import { seeOther, sendPage } from "../respond.js"
import { roleName } from "../roleName.js"
import { requestSession } from "../sessionCookie.js"
import type { UiContext } from "../uiContext.js"
import { groupListPage } from "../views/groupListView.js"

const LIST_NOTICES = { group_deleted: "The group is deleted; its cached images are being purged." }

export const registerGroupList = (app: FastifyInstance, ctx: UiContext): void => {
  app.get("/", async (request, reply) => seeOther(reply, requestSession(ctx, request) === null ? "/users/sign_in" : "/groups"))

  /** The groups the user can see: Guest or more there or on an ancestor, or every group for an administrator. */
  app.get("/groups", async (request, reply) => {
    const signed = await requireSignIn(ctx, request, reply)
    if (signed === null) return reply
    const rows = signed.state.allGroups()
      .map((group) => ({ group, level: roleIn(signed.state, signed.actor, group) }))
      .filter(({ level }) => level >= AccessLevels.guest)
      .sort((a, b) => a.group.fullPath.localeCompare(b.group.fullPath))
      .map(({ group, level }) => ({ group, role: roleName(signed.actor, level) }))
    // Only whether to offer the button: the use case decides again, on the post.
    const caller = { userId: signed.actor.user.userId, admin: signed.actor.user.admin, blocked: signed.actor.user.blocked, memberships: signed.state.membershipsOf(signed.actor.user.userId) }
    const mayCreate = mayCreateTopLevelGroup(caller, signed.state.instanceSettings().usersMayCreateGroups)._tag === "Allowed"
    return sendPage(reply, 200, groupListPage(viewerOf(ctx, signed), rows, signed.instanceProxyEnabled, mayCreate, noticeFrom(request.query, LIST_NOTICES)))
  })
}
