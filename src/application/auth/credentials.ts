import { Either, Option } from "effect"
import { checkRegistryScopes } from "../../domain/auth/registryScopes.js"
import type { Principal } from "../../domain/auth/Principal.js"
import type { TokenView, UserView } from "../../domain/views.js"
import type { LiveState } from "../LiveView.js"

/** A checked credential: who it makes the caller, and how a JWT names it (never the secret itself). */
export interface Credential {
  readonly principal: Principal
  readonly subject: string
  readonly tokenId: number | null
  /**
   * Which version of the credential the JWT was issued for: the user's password version for a password
   * sign-in (a password change makes older JWTs invalid), 0 for tokens, which are revoked instead.
   */
  readonly version: number
}

const subjectPrefix: Record<TokenView["kind"], string> = {
  personal: "pat",
  deploy: "deploy_token",
  group_access: "group_token",
  job: "job"
}

/** Why a user may not authenticate at all, or null. */
export const userRefusal = (user: UserView): string | null => (user.blocked ? "the user is blocked" : null)

export const userCredential = (user: UserView): Credential => ({
  principal: { _tag: "UserPrincipal", userId: user.userId, admin: user.admin, blocked: user.blocked, reach: null },
  subject: `user:${user.userId}`,
  tokenId: null,
  version: user.passwordVersion
})

/** The top-level group of a job token's group: the only tree its job may reach. */
const jobReach = (state: LiveState, token: TokenView): Either.Either<number, string> =>
  Option.match(token.groupId === null ? Option.none() : state.group(token.groupId), {
    onNone: () => Either.left("the job's group no longer exists"),
    onSome: (group) => Either.right(group.ancestorIds[0] ?? group.groupId)
  })

/**
 * Whether a token may be used now, and as whom. The same checks serve `/jwt/auth` (at issue) and every
 * registry request (the live re-check of the JWT's subject).
 */
export const tokenCredential = (state: LiveState, token: TokenView, now: Date): Either.Either<Credential, string> => {
  if (token.revoked) return Either.left(token.revokedReason === "job_finished" ? "the job has finished" : "the token has been revoked")
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime()) return Either.left("the token has expired")
  const scopes = checkRegistryScopes(token.scopes)
  if (scopes._tag === "MissingScope") return Either.left(scopes.message)
  const subject = `${subjectPrefix[token.kind]}:${token.tokenId}`
  if (token.kind === "deploy") {
    return token.groupId === null
      ? Either.left("the deploy token has no group")
      : Either.right({ principal: { _tag: "DeployTokenPrincipal", groupId: token.groupId }, subject, tokenId: token.tokenId, version: 0 })
  }
  const owner = token.userId === null ? Option.none() : state.user(token.userId)
  if (Option.isNone(owner)) return Either.left("the token's user no longer exists")
  const refusal = userRefusal(owner.value)
  if (refusal !== null) return Either.left(refusal)
  if (token.kind === "group_access") {
    const principal: Principal = { _tag: "GroupTokenPrincipal", botUserId: owner.value.userId, blocked: owner.value.blocked }
    return Either.right({ principal, subject, tokenId: token.tokenId, version: 0 })
  }
  const user = owner.value
  return Either.map(token.kind === "job" ? jobReach(state, token) : Either.right(null), (reach): Credential => ({
    principal: { _tag: "UserPrincipal", userId: user.userId, admin: user.admin, blocked: user.blocked, reach },
    subject,
    tokenId: token.tokenId,
    version: 0
  }))
}

/**
 * The credential a JWT's `sub` names, as it stands now. A password-derived subject is good only while the
 * password it was issued for is current and the user has no second factor (which makes passwords unusable
 * here), so turning on 2FA or changing the password ends it on the next request.
 */
export const credentialForSubject = (state: LiveState, subject: string, version: number, now: Date): Either.Either<Credential, string> => {
  const match = /^(user|pat|deploy_token|group_token|job):(\d+)$/.exec(subject)
  if (match === null) return Either.left("unknown subject")
  const [, kind, id] = match
  if (kind === "user") {
    const user = state.user(Number(id))
    if (Option.isNone(user)) return Either.left("the user no longer exists")
    const refusal = userRefusal(user.value)
    if (refusal !== null) return Either.left(refusal)
    if (user.value.twoFactorEnabled) return Either.left("two-factor authentication is enabled: use a personal access token")
    if (user.value.passwordVersion !== version) return Either.left("the password has changed: sign in again")
    return Either.right(userCredential(user.value))
  }
  const token = state.token(Number(id))
  if (Option.isNone(token) || subjectPrefix[token.value.kind] !== kind) return Either.left("the token no longer exists")
  return tokenCredential(state, token.value, now)
}
