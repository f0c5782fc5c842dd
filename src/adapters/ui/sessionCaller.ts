import { Effect } from "effect"
import type { FastifyRequest } from "fastify"
import type { ApiActor } from "../../application/api/apiActor.js"
import { readCookie } from "./cookies.js"
import { csrfMatches } from "./csrf.js"
import { openSession, SESSION_COOKIE } from "./session.js"
import { signedIn } from "./signedIn.js"

/**
 * The signed-in browser behind an API request (the GraphQL explorer's), or null. A request that changes
 * nothing (GET) needs only the session cookie; any other must also carry the session's CSRF token in
 * `X-CSRF-Token`, or it runs without the session (GitLab's `null_session`): another site can make a browser
 * send the cookie, but cannot know the token.
 */
export const sessionCaller = (key: Buffer, request: FastifyRequest) => {
  const session = openSession(key, readCookie(request.headers.cookie, SESSION_COOKIE), Date.now())
  if (session === null) return Effect.succeed(null)
  const header = request.headers["x-csrf-token"]
  const safe = request.method === "GET" || request.method === "HEAD"
  if (!safe && !csrfMatches(key, session, typeof header === "string" ? header : null)) return Effect.succeed(null)
  return signedIn(session).pipe(
    Effect.map((signed): ApiActor | null => signed.actor),
    Effect.catchTag("SignedOut", () => Effect.succeed(null))
  )
}
