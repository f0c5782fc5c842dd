import { Clock, Effect, Option } from "effect"
import type { UserView } from "../../domain/views.js"
import { LiveView, type LiveState } from "../LiveView.js"
import { TokenGenerator } from "../ports/TokenGenerator.js"
import { ApiUnauthorized } from "./errors.js"

/** Who is calling the REST or GraphQL API: a user, through one of their personal access tokens. */
export interface ApiActor {
  readonly user: UserView
  readonly tokenId: number
  readonly scopes: ReadonlyArray<string>
}

/** API reads need `api` or `read_api`; writes need `api` (GitLab's rule). */
export const canRead = (actor: ApiActor) => actor.scopes.includes("api") || actor.scopes.includes("read_api")
export const canWrite = (actor: ApiActor) => actor.scopes.includes("api")

/**
 * Authenticates an API call by a personal access token (also what `POST /oauth/token` hands out), checked
 * live against the in-memory view: revoked, expired or a blocked user's tokens are refused.
 */
export const apiActor = (token: string | null) =>
  Effect.gen(function*() {
    if (token === null || token === "") return yield* new ApiUnauthorized({ reason: "no token" })
    const generator = yield* TokenGenerator
    const state: LiveState = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
    const now = yield* Clock.currentTimeMillis
    const found = state.tokenWithDigest(generator.digest(token))
    if (Option.isNone(found) || found.value.kind !== "personal") return yield* new ApiUnauthorized({ reason: "unknown token" })
    const t = found.value
    if (t.revoked) return yield* new ApiUnauthorized({ reason: "token revoked" })
    if (t.expiresAt !== null && t.expiresAt.getTime() <= now) return yield* new ApiUnauthorized({ reason: "token expired" })
    const user = t.userId === null ? Option.none() : state.user(t.userId)
    if (Option.isNone(user) || user.value.blocked) return yield* new ApiUnauthorized({ reason: "user blocked or gone" })
    return { user: user.value, tokenId: t.tokenId, scopes: t.scopes } satisfies ApiActor
  })
