import { Option } from "effect"
import type { Credential } from "../../application/auth/credentials.js"
import type { LiveState } from "../../application/LiveView.js"
import type { UserView } from "../../domain/views.js"

export interface BrowserIdentity {
  readonly user: UserView
  /** The personal access token signed in with, or null for a password. */
  readonly tokenId: number | null
}

/**
 * Which checked credentials may hold a browser session: a user's password (not for users with two-factor
 * authentication, which this UI cannot prompt for), or that user's personal access token with the `api`
 * scope, the stand-in GitLab also accepts where it cannot ask for a second factor. Deploy, group access and
 * CI job tokens are for pulling images only.
 */
export const browserIdentity = (state: LiveState, credential: Credential): Option.Option<BrowserIdentity> => {
  const principal = credential.principal
  if (principal._tag !== "UserPrincipal") return Option.none()
  const tokenId = credential.tokenId
  return Option.flatMap(state.user(principal.userId), (user): Option.Option<BrowserIdentity> => {
    if (tokenId === null) return user.twoFactorEnabled || user.passwordHash === null ? Option.none() : Option.some({ user, tokenId: null })
    const token = Option.filter(state.token(tokenId), (t) => t.kind === "personal" && t.scopes.includes("api"))
    return Option.map(token, () => ({ user, tokenId }))
  })
}
