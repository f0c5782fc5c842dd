import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import { imagePrefix } from "../../../domain/registry/imagePrefix.js"
import { sendNotFound } from "../failures.js"
import { type ActionOutcome, askPurge, clearCredentials, type Notice, purge, saveSettings, saveTtlPolicy } from "../groupActions.js"
import { type GroupPageData, loadGroupPage } from "../groupPageData.js"
import { type GroupRoute, parseGroupRoute } from "../groupRoute.js"
import { formsOf, type OwnerForms } from "../ownerForms.js"
import { pageOf, requestedPage } from "../pagination.js"
import { requireSignIn, viewerOf } from "../requireSignIn.js"
import { requireSignedPost } from "../signedPost.js"
import { seeOther, sendPage } from "../respond.js"
import { roleName } from "../roleName.js"
import type { SignedIn } from "../signedIn.js"
import type { UiContext } from "../uiContext.js"
import { runOnPage, type UiEffect } from "../runOnPage.js"
import { handleGroupSettings } from "./groupSettingsRoutes.js"
import { handleMembers } from "./memberRoutes.js"
import { groupPage } from "../views/groupPageView.js"
import type { Viewer } from "../views/layout.js"
import { purgeConfirmPage } from "../views/purgeConfirmView.js"

const NOTICES: Readonly<Record<Notice, string>> = {
  settings_saved: "Dependency proxy settings saved.",
  credentials_cleared: "Docker Hub credentials cleared.",
  ttl_saved: "Image TTL policy saved.",
  purged: "The cache is being purged.",
  group_created: "The group was created."
}

/** Only the fixed notices: the query string never puts text of its own on the page. */
const noticeOf = (query: unknown): string | null => {
  if (typeof query !== "object" || query === null) return null
  const key: unknown = Reflect.get(query, "notice")
  const known = Object.entries(NOTICES).find(([k]) => k === key)
  return known === undefined ? null : known[1]
}


export const registerGroupPages = (app: FastifyInstance, ctx: UiContext): void => {
  const renderGroupPage = (reply: FastifyReply, status: number, signed: SignedIn, data: GroupPageData, extra: {
    readonly page: number
    readonly notice: string | null
    readonly forms: OwnerForms
  }) =>
    sendPage(reply, status, groupPage({
      data,
      roleName: roleName(signed.actor, data.role),
      prefix: imagePrefix(ctx.externalUrl, data.group.fullPath),
      images: pageOf(data.cache.images, extra.page),
      notice: extra.notice,
      forms: extra.forms,
      viewer: viewerOf(ctx, signed),
      instanceEnabled: signed.instanceProxyEnabled
    }))

  /** Runs an effect for the request; on failure or defect the error page is sent and null returned. */
  const run = <A>(request: FastifyRequest, reply: FastifyReply, viewer: Viewer, effect: UiEffect<A>) => runOnPage(ctx, request, reply, viewer, effect)

  app.get("/groups/*", async (request, reply) => {
    const signed = await requireSignIn(ctx, request, reply)
    if (signed === null) return reply
    const viewer = viewerOf(ctx, signed)
    if (await handleMembers(ctx, request, reply, signed, () => sendNotFound(reply, viewer))) return reply
    if (await handleGroupSettings(ctx, request, reply, signed, () => sendNotFound(reply, viewer))) return reply
    const route = parseGroupRoute(request.url)
    if (route === null || route.action !== "view") return sendNotFound(reply, viewer)
    const data = await run(request, reply, viewer, loadGroupPage(signed, route.groupPath))
    if (data === null) return reply
    return renderGroupPage(reply, 200, signed, data, { page: requestedPage(request.query), notice: noticeOf(request.query), forms: formsOf(data.group) })
  })

  const action = (signed: SignedIn, route: GroupRoute, body: unknown): UiEffect<ActionOutcome> | null => {
    switch (route.action) {
      case "settings":
        return saveSettings(signed, route.groupPath, body)
      case "credentials/clear":
        return clearCredentials(signed, route.groupPath)
      case "ttl_policy":
        return saveTtlPolicy(signed, route.groupPath, body)
      case "purge":
        return askPurge(signed, route.groupPath)
      case "purge/confirm":
        return purge(signed, route.groupPath)
      case "view":
        return null
    }
  }

  app.post("/groups/*", async (request, reply) => {
    const signed = await requireSignedPost(ctx, request, reply)
    if (signed === null) return reply
    const viewer = viewerOf(ctx, signed)
    if (await handleMembers(ctx, request, reply, signed, () => sendNotFound(reply, viewer))) return reply
    if (await handleGroupSettings(ctx, request, reply, signed, () => sendNotFound(reply, viewer))) return reply
    const route = parseGroupRoute(request.url)
    const effect = route === null ? null : action(signed, route, request.body)
    if (effect === null) return sendNotFound(reply, viewer)
    const outcome = await run(request, reply, viewer, effect)
    if (outcome === null) return reply
    switch (outcome._tag) {
      case "Redirect":
        return seeOther(reply, outcome.location)
      case "Refused":
        return renderGroupPage(reply, 422, signed, outcome.data, { page: 1, notice: null, forms: outcome.forms })
      case "ConfirmPurge":
        return sendPage(reply, 200, purgeConfirmPage(outcome.data, viewer))
    }
  })
}
