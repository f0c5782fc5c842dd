import { Effect, Option, Schema } from "effect"
import { requireAdmin } from "../../../application/api/permissions.js"
import { allTokens } from "../../../application/queries.js"
import { createPersonalAccessToken } from "../../../application/useCases/accessTokens.js"
import { revokeToken } from "../../../application/useCases/tokenLifecycle.js"
import type { TokenView } from "../../../domain/views.js"
import { ApiForbidden, ApiNotFound } from "./apiErrors.js"
import { created, noContent, ok } from "./apiResponse.js"
import type { ApiContext, ApiRouter } from "./apiRoute.js"
import { justCreated } from "./freshView.js"
import { DayParam, decodeParams, IdParam, optional, ScopesParam, TextParam } from "./params.js"
import { TokenFilter, tokenMatches } from "./listFilters.js"
import { paginated } from "./pagination.js"
import { pathId, pathParam } from "./pathParams.js"
import { personalTokenJson, withPlaintext } from "./tokenJson.js"

const NewToken = Schema.Struct({ name: TextParam, scopes: ScopesParam, expires_at: optional(DayParam) })
const TokenOwnerFilter = Schema.Struct({ user_id: optional(IdParam) })

/** `callerScopes`: the calling token's, when a user makes their own token with it (it may not be wider). */
const issueFor = (context: ApiContext, userId: number, callerScopes: ReadonlyArray<string> | null) =>
  Effect.gen(function*() {
    const input = yield* decodeParams(NewToken, context.request.body)
    const issued = yield* createPersonalAccessToken({
      userId,
      name: input.name,
      scopes: input.scopes,
      expiresAt: input.expires_at ?? null,
      callerScopes
    })
    const token = yield* justCreated((state) => state.token(issued.tokenId), `token ${issued.tokenId}`)
    return created(withPlaintext(personalTokenJson(token, context.now), issued.token))
  })

/** `:id` or `self` (the token making the call); another user's token is "not found" unless the caller is an admin. */
const tokenInPath = (context: ApiContext): Effect.Effect<TokenView, ApiNotFound> =>
  (pathParam(context.request, "id") === "self" ? Effect.succeed(context.actor.tokenId) : pathId(context.request, "id", "Token")).pipe(
    Effect.flatMap((id) =>
      Option.match(
        Option.filter(context.state.token(id), (t) =>
          t.kind === "personal" && (context.actor.user.admin || t.userId === context.actor.user.userId)),
        { onNone: () => Effect.fail(new ApiNotFound({ what: "Token" })), onSome: Effect.succeed }
      ))
  )

/**
 * Personal access tokens. Unlike GitLab, which lets `POST /user/personal_access_tokens` create only
 * `k8s_proxy` and `self_rotate` tokens, any scope the calling token itself has is accepted: here it is how a
 * user gets a registry token without an admin. An admin creating tokens for users is not limited that way.
 */
export const registerPersonalAccessTokenRoutes = (router: ApiRouter) => {
  router.post("/users/:id/personal_access_tokens", "write", (context) =>
    requireAdmin(context.actor).pipe(
      Effect.zipRight(pathId(context.request, "id", "User")),
      Effect.flatMap((userId) => issueFor(context, userId, null))
    ))

  router.post("/user/personal_access_tokens", "write", (context) => issueFor(context, context.actor.user.userId, context.actor.scopes))

  router.get("/personal_access_tokens", "read", (context) =>
    Effect.gen(function*() {
      const { user_id } = yield* decodeParams(TokenOwnerFilter, context.request.query)
      const filter = yield* decodeParams(TokenFilter, context.request.query)
      const admin = context.actor.user.admin
      if (user_id !== undefined && user_id !== context.actor.user.userId && !admin) {
        return yield* new ApiForbidden({ reason: "only admins list other users' tokens" })
      }
      // As GitLab: an administrator sees every personal token of the instance unless they name a user.
      const owner = user_id ?? (admin ? null : context.actor.user.userId)
      const tokens = (yield* allTokens)
        .filter((t) => t.kind === "personal" && (owner === null || t.userId === owner) && tokenMatches(filter, context.now)(t))
        .sort((a, b) => a.tokenId - b.tokenId)
      return yield* paginated(context, tokens, (t) => personalTokenJson(t, context.now))
    }))

  router.get("/personal_access_tokens/:id", "read", (context) =>
    tokenInPath(context).pipe(Effect.map((token) => ok(personalTokenJson(token, context.now)))))

  router.delete("/personal_access_tokens/:id", "write", (context) =>
    tokenInPath(context).pipe(Effect.flatMap((token) => revokeToken(token.tokenId)), Effect.as(noContent)))
}
