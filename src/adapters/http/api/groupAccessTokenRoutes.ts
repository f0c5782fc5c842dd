import { Effect, Schema } from "effect"
import { createGroupAccessToken } from "../../../application/useCases/accessTokens.js"
import { revokeToken } from "../../../application/useCases/tokenLifecycle.js"
import { AccessLevels } from "../../../domain/AccessLevel.js"
import { created, noContent, ok } from "./apiResponse.js"
import type { ApiRouter } from "./apiRoute.js"
import { justCreated } from "./freshView.js"
import { ownedGroupParam } from "./groupAccess.js"
import { groupTokenInPath, listTokensOf } from "./groupTokens.js"
import { AccessLevelParam, DayParam, decodeParams, optional, ScopesParam, TextParam } from "./params.js"
import { groupAccessTokenJson, withPlaintext } from "./tokenJson.js"

const NewGroupAccessToken = Schema.Struct({
  name: TextParam,
  scopes: ScopesParam,
  // GitLab's default role for a group access token.
  access_level: Schema.optionalWith(AccessLevelParam, { nullable: true, default: () => AccessLevels.maintainer }),
  expires_at: optional(DayParam)
})

/** Group access tokens (Owner): a bot member of the group with the token's role. */
export const registerGroupAccessTokenRoutes = (router: ApiRouter) => {
  router.post("/groups/:id/access_tokens", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* ownedGroupParam(context)
      const input = yield* decodeParams(NewGroupAccessToken, context.request.body)
      const issued = yield* createGroupAccessToken({
        groupId: group.groupId,
        name: input.name,
        scopes: input.scopes,
        accessLevel: input.access_level,
        expiresAt: input.expires_at ?? null
      })
      const token = yield* justCreated((state) => state.token(issued.tokenId), `token ${issued.tokenId}`)
      return created(withPlaintext(groupAccessTokenJson(token, context.now), issued.token))
    }))

  router.get("/groups/:id/access_tokens", "read", (context) =>
    ownedGroupParam(context).pipe(Effect.flatMap((group) => listTokensOf(context, group, "group_access", (t) => groupAccessTokenJson(t, context.now)))))

  router.get("/groups/:id/access_tokens/:token_id", "read", (context) =>
    ownedGroupParam(context).pipe(
      Effect.flatMap((group) => groupTokenInPath(context, group, "group_access")),
      Effect.map((token) => ok(groupAccessTokenJson(token, context.now)))
    ))

  router.delete("/groups/:id/access_tokens/:token_id", "write", (context) =>
    ownedGroupParam(context).pipe(
      Effect.flatMap((group) => groupTokenInPath(context, group, "group_access")),
      Effect.flatMap((token) => revokeToken(token.tokenId)),
      Effect.as(noContent)
    ))
}
