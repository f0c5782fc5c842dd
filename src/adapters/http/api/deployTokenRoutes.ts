import { Effect, Option, Schema } from "effect"
import { requireAdmin } from "../../../application/api/permissions.js"
import { allTokens } from "../../../application/queries.js"
import { createDeployToken } from "../../../application/useCases/accessTokens.js"
import { revokeToken } from "../../../application/useCases/tokenLifecycle.js"
import { created, noContent, ok } from "./apiResponse.js"
import type { ApiRouter } from "./apiRoute.js"
import { justCreated } from "./freshView.js"
import { ownedGroupParam } from "./groupAccess.js"
import { groupTokenInPath, listTokensOf } from "./groupTokens.js"
import { TokenFilter, tokenMatches } from "./listFilters.js"
import { paginated } from "./pagination.js"
import { decodeParams, InstantParam, optional, ScopesParam, TextParam } from "./params.js"
import { deployTokenJson, withPlaintext } from "./tokenJson.js"

const NewDeployToken = Schema.Struct({
  name: TextParam,
  scopes: ScopesParam,
  username: optional(TextParam),
  expires_at: optional(InstantParam)
})

/** Group deploy tokens (Owner): pull through the group's proxy and its subgroups' without a user. */
export const registerDeployTokenRoutes = (router: ApiRouter) => {
  // Every deploy token of the instance, as GitLab's `GET /deploy_tokens`: administrators only.
  router.get("/deploy_tokens", "read", (context) =>
    Effect.gen(function*() {
      yield* requireAdmin(context.actor)
      const filter = yield* decodeParams(TokenFilter, context.request.query)
      // A deleted group's tokens went with it (revoked, as events), as GitLab's do: they are not listed.
      const ofLiveGroup = (groupId: number | null) => groupId !== null && Option.isSome(context.state.group(groupId))
      const tokens = (yield* allTokens)
        .filter((t) => t.kind === "deploy" && ofLiveGroup(t.groupId) && tokenMatches(filter, context.now)(t))
        .sort((a, b) => a.tokenId - b.tokenId)
      return yield* paginated(context, tokens, (t) => ({ ...deployTokenJson(t, context.now), group_id: t.groupId }))
    }))

  router.post("/groups/:id/deploy_tokens", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* ownedGroupParam(context)
      const input = yield* decodeParams(NewDeployToken, context.request.body)
      const issued = yield* createDeployToken({
        groupId: group.groupId,
        name: input.name,
        username: input.username ?? null,
        scopes: input.scopes,
        expiresAt: input.expires_at ?? null
      })
      const token = yield* justCreated((state) => state.token(issued.tokenId), `token ${issued.tokenId}`)
      return created(withPlaintext(deployTokenJson(token, context.now), issued.token))
    }))

  router.get("/groups/:id/deploy_tokens", "read", (context) =>
    ownedGroupParam(context).pipe(Effect.flatMap((group) => listTokensOf(context, group, "deploy", (t) => deployTokenJson(t, context.now)))))

  router.get("/groups/:id/deploy_tokens/:token_id", "read", (context) =>
    ownedGroupParam(context).pipe(
      Effect.flatMap((group) => groupTokenInPath(context, group, "deploy")),
      Effect.map((token) => ok(deployTokenJson(token, context.now)))
    ))

  router.delete("/groups/:id/deploy_tokens/:token_id", "write", (context) =>
    ownedGroupParam(context).pipe(
      Effect.flatMap((group) => groupTokenInPath(context, group, "deploy")),
      Effect.flatMap((token) => revokeToken(token.tokenId)),
      Effect.as(noContent)
    ))
}
