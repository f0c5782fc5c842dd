import { Effect } from "effect"
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import { endBrowserSession } from "../../../application/useCases/users.js"
import { asUserId } from "../actingUser.js"
import { runForRequest } from "../../edge/requestContext.js"
import { readCookie, setCookie } from "../cookies.js"
import { CSRF_FIELD, csrfMatches, newSignInToken, SIGN_IN_CSRF_COOKIE, signInTokenMatches } from "../csrf.js"
import { sendCsrfRejected, sendDefect, sendFailure } from "../failures.js"
import { formField } from "../formBody.js"
import { safeRedirect, seeOther, sendPage } from "../respond.js"
import { newSession, sessionId } from "../session.js"
import { endSession, requestSession, sessionCookie } from "../sessionCookie.js"
import { signInWithForm } from "../signInWithForm.js"
import type { UiContext } from "../uiContext.js"
import { SIGN_IN_FAILED, signInPage } from "../views/signInView.js"

const SIGN_IN_PATH = "/users/sign_in"

/** The double-submit token of the sign-in form: the browser's existing one, so several open tabs keep working. */
const signInToken = (request: FastifyRequest): string => {
  const existing = readCookie(request.headers.cookie, SIGN_IN_CSRF_COOKIE)
  return existing !== null && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : newSignInToken()
}

const queryValue = (query: unknown, name: string): string | null => {
  if (typeof query !== "object" || query === null) return null
  const value: unknown = Reflect.get(query, name)
  return typeof value === "string" ? value : null
}

export const registerSignIn = (app: FastifyInstance, ctx: UiContext): void => {
  const form = (reply: FastifyReply, request: FastifyRequest, status: number, fields: { username: string; redirectTo: string; error: string | null }) => {
    const csrf = signInToken(request)
    reply.header("set-cookie", setCookie(SIGN_IN_CSRF_COOKIE, csrf, { path: SIGN_IN_PATH, secure: ctx.secureCookies, maxAgeSeconds: 3600 }))
    return sendPage(reply, status, signInPage({ ...fields, csrf }))
  }

  app.get(SIGN_IN_PATH, async (request, reply) =>
    form(reply, request, 200, { username: "", redirectTo: safeRedirect(queryValue(request.query, "redirect_to")), error: null }))

  app.post(SIGN_IN_PATH, async (request, reply) => {
    const body = request.body
    if (!signInTokenMatches(readCookie(request.headers.cookie, SIGN_IN_CSRF_COOKIE), formField(body, CSRF_FIELD))) return sendCsrfRejected(reply)
    const username = (formField(body, "username") ?? "").trim()
    const password = formField(body, "password") ?? ""
    const redirectTo = safeRedirect(formField(body, "redirect_to"))
    if (username === "" || password === "") {
      return form(reply, request, 422, { username, redirectTo, error: "Enter your username and your password or personal access token." })
    }
    const result = await runForRequest(ctx.runtime, request, reply, signInWithForm({ clientAddress: request.ip, username, password }))
    if (result._tag === "Defect") return sendDefect(reply, null)
    if (result._tag === "Failure") {
      const error = result.error
      switch (error._tag) {
        case "BadCredentials":
          return form(reply, request, 401, { username, redirectTo, error: SIGN_IN_FAILED })
        case "CredentialRefused":
          return form(reply, request, 403, { username, redirectTo, error: `Sign-in refused: ${error.reason}.` })
        case "SignInThrottled":
          return form(reply.header("retry-after", String(error.retryAfterSeconds)), request, 429, {
            username,
            redirectTo,
            error: `Too many failed sign-ins. Try again in ${error.retryAfterSeconds} seconds.`
          })
        default:
          return sendFailure(request, reply, error, null)
      }
    }
    const { user, tokenId } = result.value
    const session = newSession({ userId: user.userId, tokenId, credentialVersion: tokenId === null ? user.passwordVersion : 0 }, Date.now())
    // A fresh session (new nonce, new CSRF token) on every sign-in: a cookie planted before cannot be ridden.
    reply.header("set-cookie", [
      sessionCookie(ctx, session),
      setCookie(SIGN_IN_CSRF_COOKIE, "", { path: SIGN_IN_PATH, secure: ctx.secureCookies, maxAgeSeconds: 0 })
    ])
    return seeOther(reply, redirectTo)
  })

  app.post("/users/sign_out", async (request, reply) => {
    const session = requestSession(ctx, request)
    if (session === null) return seeOther(reply, SIGN_IN_PATH)
    if (!csrfMatches(ctx.key, session, formField(request.body, CSRF_FIELD))) return sendCsrfRejected(reply)
    // Ended on the server, not only forgotten by this browser: a copy of the cookie no longer signs anyone in.
    const ended = await runForRequest(ctx.runtime, request, reply, endBrowserSession(session.userId, sessionId(session), new Date(session.expiresAt)).pipe(
      // A user deleted since has no sessions left to end.
      Effect.catchTags({ UserNotFound: () => Effect.void, NotAllowed: () => Effect.void }),
      asUserId(session.userId)
    ))
    endSession(ctx, reply)
    if (ended._tag === "Defect") return sendDefect(reply, null)
    // This browser forgets the session either way; the page says it could not be ended everywhere.
    if (ended._tag === "Failure") return sendFailure(request, reply, ended.error, null)
    return seeOther(reply, SIGN_IN_PATH)
  })
}
