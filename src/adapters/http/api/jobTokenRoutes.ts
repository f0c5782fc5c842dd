import { Effect, Option, Schema } from "effect"
import { requireAdmin } from "../../../application/api/permissions.js"
import { createJobToken } from "../../../application/useCases/jobTokens.js"
import { finishJob } from "../../../application/useCases/tokenLifecycle.js"
import { ciVariables } from "../../../domain/registry/imagePrefix.js"
import type { TokenView } from "../../../domain/views.js"
import { type ApiForbidden, ApiNotFound } from "./apiErrors.js"
import { created, noContent } from "./apiResponse.js"
import type { ApiContext, ApiRouter } from "./apiRoute.js"
import { isoTime, orNull } from "./dates.js"
import { justCreated } from "./freshView.js"
import { visibleGroupParam } from "./groupAccess.js"
import { decodeParams, IdParam, InstantParam, optional } from "./params.js"
import { pathId } from "./pathParams.js"

const NewJob = Schema.Struct({ user_id: IdParam, expires_at: optional(InstantParam) })

/** A job token, for an administrator (the CI system); anything else is "not found" to anyone else. */
const jobToken = (context: ApiContext): Effect.Effect<TokenView, ApiNotFound | ApiForbidden> =>
  requireAdmin(context.actor).pipe(
    Effect.zipRight(pathId(context.request, "id", "Token")),
    Effect.flatMap((id) =>
      Option.match(Option.filter(context.state.token(id), (t) => t.kind === "job"), {
        onNone: () => Effect.fail(new ApiNotFound({ what: "Token" })),
        onSome: Effect.succeed
      }))
  )

/**
 * CI job tokens (our addition; GitLab makes them when a job starts): an administrator stands in for the CI
 * system, gets the token and the job's dependency proxy variables, and finishes the job (which revokes it).
 * The use case holds the rules (the job's user a Developer or more, an hour by default, a day at most).
 */
export const registerJobTokenRoutes = (router: ApiRouter, externalUrl: string) => {
  router.post("/groups/:id/job_tokens", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* visibleGroupParam(context)
      const input = yield* decodeParams(NewJob, context.request.body)
      const issued = yield* createJobToken({
        userId: input.user_id,
        groupId: group.groupId,
        ...(input.expires_at === undefined ? {} : { expiresAt: input.expires_at })
      })
      const token = yield* justCreated((state) => state.token(issued.tokenId), `token ${issued.tokenId}`)
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
    jobToken(context).pipe(Effect.flatMap((token) => finishJob(token.tokenId)), Effect.as(noContent)))
}
