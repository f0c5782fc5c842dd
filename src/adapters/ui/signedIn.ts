import { Clock, Data, Effect, Either, Option } from "effect"
import { credentialForSubject } from "../../application/auth/credentials.js"
import type { ApiActor } from "../../application/api/apiActor.js"
import { RegistrySettings } from "../../application/auth/RegistrySettings.js"
import { instanceProxyEnabled } from "../../application/instanceSwitch.js"
import { LiveView, type LiveState } from "../../application/LiveView.js"
import type { UserView } from "../../domain/views.js"
import { browserIdentity } from "./browserIdentity.js"
import { sessionEnded } from "../../domain/user/UserDecider.js"
import { type Session, sessionId } from "./session.js"

/** No session, or one whose user or token may no longer be used: the browser goes to the sign-in page. */
export class SignedOut extends Data.TaggedError("SignedOut")<{}> {}

export interface SignedIn {
  readonly state: LiveState
  readonly actor: ApiActor
  readonly session: Session
  /** The instance-wide Dependency Proxy switch, for every page that shows a group's state. */
  readonly instanceProxyEnabled: boolean
}

/** The session's user as things stand now: gone, blocked, a revoked token, a changed password or a sign-out end it. */
const currentUser = (state: LiveState, session: Session, now: Date): Option.Option<UserView> => {
  const subject = session.tokenId === null ? `user:${session.userId}` : `pat:${session.tokenId}`
  const credential = credentialForSubject(state, subject, session.credentialVersion, now)
  if (Either.isLeft(credential)) return Option.none()
  return browserIdentity(state, credential.right).pipe(
    Option.filter(({ user }) => user.userId === session.userId && !sessionEnded(user, sessionId(session), new Date(session.expiresAt))),
    Option.map(({ user }) => user)
  )
}

/**
 * Re-checks the user behind a session on every request, against the live view (so a block or revocation
 * takes effect on the next page, as on the registry). A UI session acts like an `api`-scoped token.
 */
export const signedIn = (session: Session | null) =>
  Effect.gen(function*() {
    if (session === null) return yield* new SignedOut()
    const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
    const now = yield* Clock.currentTimeMillis
    const user = currentUser(state, session, new Date(now))
    if (Option.isNone(user)) return yield* new SignedOut()
    const actor: ApiActor = { user: user.value, tokenId: session.tokenId ?? 0, scopes: ["api"] }
    const settings = yield* RegistrySettings
    return { state, actor, session, instanceProxyEnabled: instanceProxyEnabled(state, settings) } satisfies SignedIn
  })
