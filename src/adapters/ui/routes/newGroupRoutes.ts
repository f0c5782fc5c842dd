import { Effect } from "effect"
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import { createGroup } from "../../../application/useCases/groups.js"
import { runForRequest } from "../../edge/requestContext.js"
import { asUser } from "../actingUser.js"
import { sendDefect, sendFailure, sendNotFound } from "../failures.js"
import { formField } from "../formBody.js"
import { visibleGroupAt } from "../groupPageData.js"
import { groupPagePath } from "../groupRoute.js"
import { requireSignIn, viewerOf } from "../requireSignIn.js"
import { seeOther, sendPage } from "../respond.js"
import { requireSignedPost } from "../signedPost.js"
import type { SignedIn } from "../signedIn.js"
import type { UiContext } from "../uiContext.js"
import { emptyGroupForm, type NewGroupForm, newGroupPage } from "../views/newGroupView.js"

const parentPathOf = (query: unknown): string | null => {
  if (typeof query !== "object" || query === null) return null
  const value: unknown = Reflect.get(query, "parent")
  return typeof value === "string" && value !== "" ? value : null
}

/**
 * "New group" and "New subgroup". Who may create which is the `createGroup` use case's to decide (acting as
 * the signed-in user, ADR 0014): a refusal is its `NotAllowed`, shown as 403. Name and path are the domain's
 * rules too, shown on their fields.
 */
export const registerNewGroup = (app: FastifyInstance, ctx: UiContext): void => {
  /** The parent, when one is named, must be visible (else 404, as every group page). */
  const parentOf = async (request: FastifyRequest, reply: FastifyReply, signed: SignedIn, parentPath: string | null) => {
    if (parentPath === null) return { parent: null }
    const result = await runForRequest(ctx.runtime, request, reply, visibleGroupAt(signed, parentPath))
    if (result._tag === "Success") return { parent: result.value }
    const viewer = viewerOf(ctx, signed)
    if (result._tag === "Defect") sendDefect(reply, viewer)
    else sendNotFound(reply, viewer)
    return null
  }

  app.get("/groups/new", async (request, reply) => {
    const signed = await requireSignIn(ctx, request, reply)
    if (signed === null) return reply
    const found = await parentOf(request, reply, signed, parentPathOf(request.query))
    if (found === null) return reply
    return sendPage(reply, 200, newGroupPage(viewerOf(ctx, signed), found.parent, emptyGroupForm))
  })

  app.post("/groups/new", async (request, reply) => {
    const signed = await requireSignedPost(ctx, request, reply)
    if (signed === null) return reply
    const viewer = viewerOf(ctx, signed)
    const found = await parentOf(request, reply, signed, formField(request.body, "parent_path"))
    if (found === null) return reply
    const parent = found.parent
    const posted: NewGroupForm = { name: (formField(request.body, "name") ?? "").trim(), path: (formField(request.body, "path") ?? "").trim(), errors: {} }
    const created = createGroup({ path: posted.path, name: posted.name, parentId: parent?.groupId ?? null, ownerUserId: signed.actor.user.userId }).pipe(
      Effect.map((groupId) => ({ _tag: "Created" as const, groupId })),
      Effect.catchTags({
        InvalidField: (e) => Effect.succeed({ _tag: "Refused" as const, field: e.field, message: `${e.message}.` }),
        NameTaken: () => Effect.succeed({ _tag: "Refused" as const, field: "path", message: "is already taken by a group at this level." })
      }),
      asUser(signed)
    )
    const result = await runForRequest(ctx.runtime, request, reply, created)
    if (result._tag === "Defect") return sendDefect(reply, viewer)
    if (result._tag === "Failure") return sendFailure(request, reply, result.error, viewer)
    const outcome = result.value
    if (outcome._tag === "Created") {
      const fullPath = parent === null ? posted.path : `${parent.fullPath}/${posted.path}`
      return seeOther(reply, `${groupPagePath(fullPath)}?notice=group_created`)
    }
    const label = outcome.field === "name" ? "Group name" : "Group URL path"
    const errors = outcome.field === "name" || outcome.field === "path"
      ? { [outcome.field]: `${label} ${outcome.message}` }
      : { form: `${outcome.field} ${outcome.message}` }
    return sendPage(reply, 422, newGroupPage(viewer, parent, { ...posted, errors }))
  })
}
