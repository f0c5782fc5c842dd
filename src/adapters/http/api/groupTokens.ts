import { Effect, Option } from "effect"
import { allTokens } from "../../../application/queries.js"
import type { TokenKind } from "../../../domain/token/TokenKind.js"
import type { GroupView, TokenView } from "../../../domain/views.js"
import { ApiNotFound } from "./apiErrors.js"
import type { ApiContext } from "./apiRoute.js"
import { TokenFilter, tokenMatches } from "./listFilters.js"
import { paginated } from "./pagination.js"
import { decodeParams } from "./params.js"
import { pathId } from "./pathParams.js"

/** A page of a group's tokens of one kind, oldest first, filtered by `state`, `revoked` and `active`. */
export const listTokensOf = (context: ApiContext, group: GroupView, kind: TokenKind, toJson: (token: TokenView) => unknown) =>
  Effect.gen(function*() {
    const filter = yield* decodeParams(TokenFilter, context.request.query)
    const tokens = yield* tokensOf(group, kind)
    return yield* paginated(context, tokens.filter(tokenMatches(filter, context.now)), toJson)
  })

/** A group's tokens of one kind, oldest first. */
export const tokensOf = (group: GroupView, kind: TokenKind) =>
  allTokens.pipe(Effect.map((all) => all.filter((t) => t.kind === kind && t.groupId === group.groupId).sort((a, b) => a.tokenId - b.tokenId)))

/** `:token_id` of a token of this kind in this group; any other token id is "not found" here. */
export const groupTokenInPath = (context: ApiContext, group: GroupView, kind: TokenKind): Effect.Effect<TokenView, ApiNotFound> =>
  pathId(context.request, "token_id", "Token").pipe(
    Effect.flatMap((id) =>
      Option.match(Option.filter(context.state.token(id), (t) => t.kind === kind && t.groupId === group.groupId), {
        onNone: () => Effect.fail(new ApiNotFound({ what: "Token" })),
        onSome: Effect.succeed
      }))
  )
