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
  principal: { _tag: "UserPrincipal", userId: user.userId, admin: user.admin, blocked: user.blocked },
  subject: `user:${user.userId}`,
  tokenId: null
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
      : Either.right({ principal: { _tag: "DeployTokenPrincipal", groupId: token.groupId }, subject, tokenId: token.tokenId })
  }
  const owner = token.userId === null ? Option.none() : state.user(token.userId)
  if (Option.isNone(owner)) return Either.left("the token's user no longer exists")
  const refusal = userRefusal(owner.value)
  if (refusal !== null) return Either.left(refusal)
  const principal: Principal = token.kind === "group_access"
    ? { _tag: "GroupTokenPrincipal", botUserId: owner.value.userId, blocked: owner.value.blocked }
    : { _tag: "UserPrincipal", userId: owner.value.userId, admin: owner.value.admin, blocked: owner.value.blocked }
  return Either.right({ principal, subject, tokenId: token.tokenId })
}

/** The credential a JWT's `sub` names, as it stands now. */
export const credentialForSubject = (state: LiveState, subject: string, now: Date): Either.Either<Credential, string> => {
  const match = /^(user|pat|deploy_token|group_token|job):(\d+)$/.exec(subject)
  if (match === null) return Either.left("unknown subject")
  const [, kind, id] = match
  if (kind === "user") {
    const user = state.user(Number(id))
    if (Option.isNone(user)) return Either.left("the user no longer exists")
    const refusal = userRefusal(user.value)
    return refusal === null ? Either.right(userCredential(user.value)) : Either.left(refusal)
  }
  const token = state.token(Number(id))
  if (Option.isNone(token) || subjectPrefix[token.value.kind] !== kind) return Either.left("the token no longer exists")
  return tokenCredential(state, token.value, now)
}
