import { Effect, Option, Schema } from "effect"
import { roleIn } from "../../../application/api/permissions.js"
import { createJobToken, finishJob } from "../../../application/useCases/tokens.js"
import { AccessLevels } from "../../../domain/AccessLevel.js"
import { ciVariables } from "../../../domain/registry/imagePrefix.js"
import type { TokenView } from "../../../domain/views.js"
import { ApiNotFound } from "./apiErrors.js"
import { created, noContent } from "./apiResponse.js"
import type { ApiContext, ApiRouter } from "./apiRoute.js"
import { isoTime, orNull } from "./dates.js"
import { currentState, justCreated } from "./freshView.js"
import { ownedGroupParam } from "./groupAccess.js"
import { decodeParams, IdParam, InstantParam, optional } from "./params.js"
import { pathId } from "./pathParams.js"

const NewJob = Schema.Struct({ user_id: IdParam, expires_at: optional(InstantParam) })

/** A job token of a group the caller owns (or any, for an admin); anything else is "not found". */
const ownedJobToken = (context: ApiContext): Effect.Effect<TokenView, ApiNotFound> =>
  pathId(context.request, "id", "Token").pipe(Effect.flatMap((id) => {
    const owned = Option.filter(context.state.token(id), (t) =>
      t.kind === "job" && t.groupId !== null && Option.match(context.state.group(t.groupId), {
        onNone: () => false,
        onSome: (g) => roleIn(context.state, context.actor, g) >= AccessLevels.owner
      }))
    return Option.match(owned, { onNone: () => Effect.fail(new ApiNotFound({ what: "Token" })), onSome: Effect.succeed })
  }))

/**
 * CI job tokens (our addition; GitLab makes them when a job starts): an admin or a group Owner stands in for
 * the CI system, gets the token and the job's dependency proxy variables, and finishes the job (which revokes
 * it). The expiry is a full time: a job token lives an hour by default.
 */
export const registerJobTokenRoutes = (router: ApiRouter, externalUrl: string) => {
  router.post("/groups/:id/job_tokens", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* ownedGroupParam(context)
      const input = yield* decodeParams(NewJob, context.request.body)
      const issued = yield* createJobToken({
        userId: input.user_id,
        groupId: group.groupId,
        ...(input.expires_at === undefined ? {} : { expiresAt: input.expires_at })
      })
      const token = yield* justCreated((yield* currentState).token(issued.tokenId), `token ${issued.tokenId}`)
      return created({
        id: token.tokenId,
        token: issued.token,
        user_id: token.userId,
        group_id: group.groupId,
        expires_at: orNull(token.expiresAt, isoTime),
        variables: ciVariables(externalUrl, issued.token, group)
      })
    }))

  router.post("/job_tokens/:id/finish", "write", (context) =>
    ownedJobToken(context).pipe(Effect.flatMap((token) => finishJob(token.tokenId)), Effect.as(noContent)))
}
