import type { FastifyReply, FastifyRequest } from "fastify"
import { CSRF_FIELD, csrfMatches } from "./csrf.js"
import { sendCsrfRejected } from "./failures.js"
import { formField } from "./formBody.js"
import { requireSignIn } from "./requireSignIn.js"
import { requestSession } from "./sessionCookie.js"
import type { SignedIn } from "./signedIn.js"
import type { UiContext } from "./uiContext.js"

/**
 * Every form post of a signed-in page: the CSRF token checked before anything else is looked at (a forged
 * post learns nothing, not even a 404), then the user re-checked. Null once a page or redirect was sent.
 */
export const requireSignedPost = async (ctx: UiContext, request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> => {
  const session = requestSession(ctx, request)
  if (session !== null && !csrfMatches(ctx.key, session, formField(request.body, CSRF_FIELD))) {
    sendCsrfRejected(reply)
    return null
  }
  return requireSignIn(ctx, request, reply)
}
