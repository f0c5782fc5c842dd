import { Clock, Effect, Schema } from "effect"
import { signIn } from "../../../application/auth/signIn.js"
import { CommandMetadata } from "../../../application/CommandMetadata.js"
import { createPersonalAccessToken } from "../../../application/useCases/accessTokens.js"
import { INVALID_GRANT, type OAuthError, oauthError } from "./oauthError.js"
import { decodeParams, TextParam } from "./params.js"

/** What a password grant yields: a personal access token with the `api` scope, for two hours. */
export const OAUTH_TOKEN_LIFETIME_SECONDS = 7200

const GrantType = Schema.Struct({ grant_type: TextParam })
const PasswordGrant = Schema.Struct({ username: TextParam, password: TextParam })

/**
 * The resource-owner password grant: checks a real user's password (never a token, never a user with 2FA:
 * signIn refuses those as bad credentials), throttled like registry sign-ins, and issues the token.
 */
export const passwordGrant = (body: unknown, clientAddress: string) =>
  Effect.gen(function*() {
    const { grant_type } = yield* decodeParams(GrantType, body).pipe(
      Effect.mapError((e) => oauthError(400, "invalid_request", e.problems.join(", ")))
    )
    if (grant_type !== "password") return yield* Effect.fail(oauthError(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server."))
    const { username, password } = yield* decodeParams(PasswordGrant, body).pipe(
      Effect.mapError((e) => oauthError(400, "invalid_request", e.problems.join(", ")))
    )
    const credential = yield* signIn({ clientAddress, username, password }).pipe(
      Effect.catchTags({
        SignInThrottled: (e) => Effect.fail(oauthError(429, "invalid_grant", "Too many failed sign-in attempts; retry later.", e.retryAfterSeconds)),
        BadCredentials: () => Effect.fail(oauthError(400, "invalid_grant", INVALID_GRANT)),
        CredentialRefused: () => Effect.fail(oauthError(400, "invalid_grant", INVALID_GRANT))
      })
    )
    // A token given as the password signs in as its user elsewhere; a password grant wants the password.
    if (credential.principal._tag !== "UserPrincipal" || credential.tokenId !== null) {
      return yield* Effect.fail(oauthError(400, "invalid_grant", INVALID_GRANT))
    }
    const userId = credential.principal.userId
    const now = yield* Clock.currentTimeMillis
    const issued = yield* createPersonalAccessToken({
      userId,
      name: "oauth",
      scopes: ["api"],
      expiresAt: new Date(now + OAUTH_TOKEN_LIFETIME_SECONDS * 1000)
    }).pipe(Effect.updateService(CommandMetadata, (metadata) => ({ ...metadata, actor: `user:${userId}` })))
    return {
      access_token: issued.token,
      token_type: "Bearer",
      expires_in: OAUTH_TOKEN_LIFETIME_SECONDS,
      created_at: Math.floor(now / 1000),
      scope: "api"
    }
  }).pipe(
    Effect.catchAll((e): Effect.Effect<never, OAuthError> =>
      e._tag === "OAuthError"
        ? Effect.fail(e)
        : e._tag === "EventStoreUnavailable" || e._tag === "VersionConflict"
        ? Effect.fail(oauthError(503, "temporarily_unavailable", "Try again later."))
        // A domain refusal of a token for a user who just signed in is a bug: a logged 500.
        : Effect.die(e))
  )

