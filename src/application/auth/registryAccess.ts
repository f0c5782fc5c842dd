import { Clock, Effect, Either, Option } from "effect"
import { authorizePull } from "../../domain/auth/authorizePull.js"
import { parseScopes } from "../../domain/registry/ScopeRequest.js"
import { repositoryName } from "../../domain/registry/RegistryPath.js"
import type { GroupView } from "../../domain/views.js"
import { type RegistryAccess, RegistryTokens } from "../ports/RegistryTokens.js"
import { recordTokenUse } from "../useCases/tokenLifecycle.js"
import { CommandMetadata } from "../CommandMetadata.js"
import { type LiveState, LiveView } from "../LiveView.js"
import { type Credential, credentialForSubject } from "./credentials.js"
import { BearerTokenMissing, CredentialNoLongerValid, PullDenied, RepositoryNotInToken } from "./errors.js"
import { pullContext } from "./pullContext.js"
import { instanceProxyEnabled } from "../instanceSwitch.js"
import { RegistrySettings } from "./RegistrySettings.js"
import { signIn } from "./signIn.js"

const nowDate = Clock.currentTimeMillis.pipe(Effect.map((ms) => new Date(ms)))

/** The dependency proxy is a cache: whatever is asked for, a token grants at most `pull`. */
const grantable = (requested: ReadonlyArray<string>): ReadonlyArray<string> =>
  requested.includes("pull") || requested.includes("*") ? ["pull"] : []

/**
 * `/jwt/auth`: checks Basic credentials (throttling failures per client and username) and issues a JWT for the
 * requested repositories. Like GitLab, it does not check group access here: every registry request does,
 * live, so the answer for a group one may not read is the same 404 whether or not it exists.
 */
export const issueRegistryToken = (input: {
  readonly clientAddress: string
  readonly username: string
  readonly password: string
  readonly scopes: ReadonlyArray<string>
}) =>
  Effect.gen(function*() {
    const credential = yield* signIn(input)
    const access: ReadonlyArray<RegistryAccess> = parseScopes(input.scopes).flatMap((scope) => {
      const actions = grantable(scope.actions)
      return actions.length === 0 ? [] : [{ type: "repository" as const, name: scope.name, actions }]
    })
    const now = yield* nowDate
    const issued = yield* RegistryTokens.pipe(Effect.flatMap((tokens) => tokens.issue(credential, access, now)))
    if (credential.tokenId !== null) yield* noteTokenUse(credential.tokenId, credential.subject, now)
    return issued
  })

/**
 * Records a token's last use, at most once per interval: the view tells whether one is due without a read.
 * Bookkeeping: failing to record a use must not refuse a valid sign-in or call, but it is logged.
 */
export const noteTokenUse = (tokenId: number, subject: string, now: Date) =>
  Effect.gen(function*() {
    const settings = yield* RegistrySettings
    const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
    const lastUsed = Option.flatMap(state.token(tokenId), (t) => Option.fromNullable(t.lastUsedAt))
    const due = Option.match(lastUsed, { onNone: () => true, onSome: (at) => now.getTime() - at.getTime() >= settings.tokenUseIntervalMs })
    if (due) yield* recordTokenUse(tokenId, settings.tokenUseIntervalMs)
  }).pipe(
    Effect.updateService(CommandMetadata, (metadata) => ({ ...metadata, actor: subject })),
    Effect.catchAll((error) => Effect.logWarning("could not record a token's use", error))
  )

/** Verifies a bearer token and re-checks, against the current auth view, the credential it names. */
export const currentCredential = (bearer: string | null) =>
  Effect.gen(function*() {
    if (bearer === null) return yield* new BearerTokenMissing()
    const now = yield* nowDate
    const claims = yield* RegistryTokens.pipe(Effect.flatMap((tokens) => tokens.verify(bearer, now)))
    const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
    const credential = yield* Either.mapLeft(credentialForSubject(state, claims.subject, claims.version, now), (reason) => new CredentialNoLongerValid({ reason }))
    return { claims, credential, state, now }
  })

/**
 * Every registry request for a manifest or blob: a valid bearer token that covers the repository, a
 * credential that is still good, and the authorization rule, all checked now.
 */
export const authorizePullRequest = (input: { readonly bearer: string | null; readonly groupPath: string; readonly image: string }) =>
  Effect.gen(function*() {
    const { claims, credential, state, now } = yield* currentCredential(input.bearer)
    const repository = repositoryName(input.groupPath, input.image)
    const covered = claims.access.some((a) =>
      a.type === "repository" && a.name.toLowerCase() === repository && a.actions.includes("pull")
    )
    if (!covered) return yield* new RepositoryNotInToken({ repository })
    const settings = yield* RegistrySettings
    const decide = (view: LiveState, principal: Credential["principal"]) =>
      authorizePull(principal, pullContext(view, principal, input.groupPath, instanceProxyEnabled(view, settings), now))
    let decided = { state, credential }
    if (decide(state, credential.principal)._tag === "Denied") {
      // Before refusing, read the log itself: a group or membership created through another replica a moment
      // ago may not have been announced yet. One query, on refusals only; allowing never waits for it.
      const latest = yield* LiveView.pipe(Effect.flatMap((view) => view.latest))
      const again = yield* Either.mapLeft(credentialForSubject(latest, claims.subject, claims.version, now), (reason) => new CredentialNoLongerValid({ reason }))
      decided = { state: latest, credential: again }
    }
    const verdict = decide(decided.state, decided.credential.principal)
    if (verdict._tag === "Denied") return yield* new PullDenied({ reason: verdict.reason })
    const group = decided.state.groupAt(input.groupPath)
    return yield* Option.match(group, {
      onNone: () => new PullDenied({ reason: "group_not_found" }),
      // The token's expiry bounds anything handed out on its strength (a pre-signed redirect, ADR 0017).
      onSome: (g): Effect.Effect<{ readonly group: GroupView; readonly credential: Credential; readonly tokenExpiresAt: Date }> =>
        Effect.succeed({ group: g, credential: decided.credential, tokenExpiresAt: claims.expiresAt })
    })
  })
