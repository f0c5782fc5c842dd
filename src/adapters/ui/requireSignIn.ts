import type { FastifyReply, FastifyRequest } from "fastify"
import { runForRequest } from "../edge/requestContext.js"
import { csrfToken } from "./csrf.js"
import { sendDefect, sendFailure } from "./failures.js"
import { seeOther } from "./respond.js"
import { endSession, requestSession } from "./sessionCookie.js"
import { type SignedIn, signedIn } from "./signedIn.js"
import type { UiContext } from "./uiContext.js"
import type { Viewer } from "./views/layout.js"

export const viewerOf = (ctx: UiContext, signed: SignedIn): Viewer => ({
  username: signed.actor.user.username,
  csrf: csrfToken(ctx.key, signed.session),
  admin: signed.actor.user.admin
})

/** Where a signed-out GET is sent: the sign-in page, which comes back here afterwards. */
const signInFor = (request: FastifyRequest): string =>
  request.method === "GET" ? `/users/sign_in?${new URLSearchParams({ redirect_to: request.url })}` : "/users/sign_in"

/**
 * The signed-in user, re-checked now; or null once the browser has been sent to sign in (the cookie cleared,
 * as it no longer stands for anyone) or an error page has been sent.
 */
export const requireSignIn = async (ctx: UiContext, request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> => {
  const session = requestSession(ctx, request)
  const result = await runForRequest(ctx.runtime, request, reply, signedIn(session))
  if (result._tag === "Success") return result.value
  if (result._tag === "Defect") {
    sendDefect(reply, null)
    return null
  }
  if (result.error._tag === "SignedOut") {
    seeOther(session === null ? reply : endSession(ctx, reply), signInFor(request))
    return null
  }
  sendFailure(request, reply, result.error, null)
  return null
}
