import type { Effect } from "effect"
import type { FastifyRequest } from "fastify"
import type { AppServices, RegistryServices } from "../../../application/AppServices.js"
import type { CommandMetadata } from "../../../application/CommandMetadata.js"
import { runForRequest } from "../../edge/requestContext.js"
import { sendDefect, sendFailure, type UiFailure } from "../failures.js"
import type { GroupSubPage } from "../groupSubPage.js"
import { allowsMethod, parseSettingsRoute, type SettingsRoute } from "../groupSettingsRoute.js"
import { createGroupToken, revokeGroupToken, type SettingsOutcome, showGroupTokens } from "../groupTokenActions.js"
import { DEPLOY_TOKENS, GROUP_ACCESS_TOKENS } from "../groupTokenKinds.js"
import { noticeFrom } from "../notices.js"
import { viewerOf } from "../requireSignIn.js"
import { seeOther, sendPage } from "../respond.js"
import type { SignedIn } from "../signedIn.js"
import { askDeleteGroup, deleteGroupConfirmed } from "../groupDeletionActions.js"
import { saveGeneralSettings } from "../groupGeneralActions.js"
import { showGroupSettings } from "../groupSettingsPage.js"
import { saveSsoSetting } from "../ssoSettingActions.js"
import type { Viewer } from "../views/layout.js"

type SettingsEffect = Effect.Effect<SettingsOutcome, UiFailure, AppServices | RegistryServices | CommandMetadata>

/** Only the fixed notice keys: the query string never puts text of its own on the page. */
const noticeIs = (query: unknown, key: string): boolean =>
  typeof query === "object" && query !== null && Reflect.get(query, "notice") === key

const SETTINGS_NOTICES = { sso_saved: "The SSO setting was saved.", general_saved: "The group was saved." }

const effectFor = (signed: SignedIn, viewer: Viewer, route: SettingsRoute, request: FastifyRequest): SettingsEffect => {
  if (route.page === "settings") return showGroupSettings(signed, viewer, route.groupPath, noticeFrom(request.query, SETTINGS_NOTICES))
  if (route.page === "sso") return saveSsoSetting(signed, route.groupPath, request.body)
  if (route.page === "general") return saveGeneralSettings(signed, viewer, route.groupPath, request.body)
  if (route.page === "delete") {
    return route.confirmed ? deleteGroupConfirmed(signed, viewer, route.groupPath, request.body) : askDeleteGroup(signed, viewer, route.groupPath)
  }
  const kind = route.page === "deploy_tokens" ? DEPLOY_TOKENS : GROUP_ACCESS_TOKENS
  if (route.revoke !== null) return revokeGroupToken(signed, viewer, kind, route.groupPath, route.revoke.tokenId, route.revoke.confirmed)
  return request.method === "GET"
    ? showGroupTokens(signed, viewer, kind, route.groupPath, noticeIs(request.query, "revoked"))
    : createGroupToken(signed, viewer, kind, route.groupPath, request.body)
}

/** The pages under `/groups/<path>/-/settings`. */
export const handleGroupSettings: GroupSubPage = async (ctx, request, reply, signed, notFound) => {
  const route = parseSettingsRoute(request.url)
  if (route === null) return false
  if (!allowsMethod(route, request.method)) {
    notFound()
    return true
  }
  const viewer = viewerOf(ctx, signed)
  const result = await runForRequest(ctx.runtime, request, reply, effectFor(signed, viewer, route, request))
  if (result._tag === "Defect") sendDefect(reply, viewer)
  else if (result._tag === "Failure") sendFailure(request, reply, result.error, viewer)
  else if (result.value._tag === "Page") sendPage(reply, result.value.status, result.value.page)
  else if (result.value._tag === "Redirect") seeOther(reply, result.value.location)
  else notFound()
  return true
}
