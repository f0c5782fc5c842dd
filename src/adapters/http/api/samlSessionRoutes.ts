import { Effect, Option, Schema } from "effect"
import { requireAdmin } from "../../../application/api/permissions.js"
import { endSsoSession, startSsoSession } from "../../../application/useCases/sso.js"
import { isSsoSessionActive } from "../../../domain/sso/SsoSession.js"
import { ApiNotFound } from "./apiErrors.js"
import { created, noContent } from "./apiResponse.js"
import type { ApiRouter } from "./apiRoute.js"
import { isoTime } from "./dates.js"
import { justCreated } from "./freshView.js"
import { visibleGroupParam } from "./groupAccess.js"
import { decodeParams, IdParam, InstantParam, optional } from "./params.js"
import { pathId } from "./pathParams.js"

const NewSession = Schema.Struct({ user_id: IdParam, expires_at: optional(InstantParam) })

/**
 * SAML SSO sessions (our addition, admins only): stands in for the identity provider, so a group that
 * enforces SSO can be pulled from by a user with a session. Only top-level groups have sessions.
 */
export const registerSamlSessionRoutes = (router: ApiRouter) => {
  router.post("/groups/:id/saml_sessions", "write", (context) =>
    Effect.gen(function*() {
      yield* requireAdmin(context.actor)
      const group = yield* visibleGroupParam(context)
      const input = yield* decodeParams(NewSession, context.request.body)
      if (Option.isNone(context.state.user(input.user_id))) return yield* new ApiNotFound({ what: "User" })
      yield* startSsoSession({ userId: input.user_id, groupId: group.groupId, expiresAt: input.expires_at ?? null })
      const session = yield* justCreated((state) => state.ssoSession(input.user_id, group.groupId), "SSO session")
      return created({ user_id: session.userId, group_id: session.groupId, expires_at: isoTime(session.expiresAt), active: true })
    }))

  router.delete("/groups/:id/saml_sessions/:user_id", "write", (context) =>
    Effect.gen(function*() {
      yield* requireAdmin(context.actor)
      const group = yield* visibleGroupParam(context)
      const userId = yield* pathId(context.request, "user_id", "SAML Session")
      const session = Option.getOrNull(context.state.ssoSession(userId, group.groupId))
      if (!isSsoSessionActive(session, context.now)) return yield* new ApiNotFound({ what: "SAML Session" })
      yield* endSsoSession(userId, group.groupId)
      return noContent
    }))
}
