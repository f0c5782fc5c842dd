import { Effect } from "effect"
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import { asUser } from "../actingUser.js"
import { changePasswordWithForm } from "../changePasswordWithForm.js"
import { formField } from "../formBody.js"
import { noticeFrom } from "../notices.js"
import { requireSignIn, viewerOf } from "../requireSignIn.js"
import { seeOther, sendPage } from "../respond.js"
import { runOnPage } from "../runOnPage.js"
import { requireSignedPost } from "../signedPost.js"
import type { SignedIn } from "../signedIn.js"
import type { UiContext } from "../uiContext.js"
import { PASSWORD_PATH, type PasswordErrors, passwordPage } from "../views/passwordView.js"

const NOTICES = { changed: "Your password was changed." }
const EDIT_PATH = `${PASSWORD_PATH}/edit`

/**
 * Change password (GitLab's `/-/user_settings/password`), as `changeOwnPassword` by the signed-in user. A
 * session opened with the password ends with the change (its password version is old), so after the `303`
 * the browser signs in again with the new one and comes back to the notice; a token session carries on.
 */
export const registerPassword = (app: FastifyInstance, ctx: UiContext): void => {
  const page = (reply: FastifyReply, signed: SignedIn, status: number, errors: PasswordErrors, notice: string | null) =>
    sendPage(reply, status, passwordPage(viewerOf(ctx, signed), errors, notice))

  app.get(EDIT_PATH, async (request, reply) => {
    const signed = await requireSignIn(ctx, request, reply)
    return signed === null ? reply : page(reply, signed, 200, {}, noticeFrom(request.query, NOTICES))
  })

  app.post(PASSWORD_PATH, async (request: FastifyRequest, reply) => {
    const signed = await requireSignedPost(ctx, request, reply)
    if (signed === null) return reply
    const body = request.body
    const currentPassword = formField(body, "current_password") ?? ""
    const newPassword = formField(body, "password") ?? ""
    if (currentPassword === "") return page(reply, signed, 422, { current_password: "Current password can't be blank." }, null)
    if (newPassword !== (formField(body, "password_confirmation") ?? "")) {
      return page(reply, signed, 422, { password_confirmation: "Confirm new password doesn't match the new password." }, null)
    }
    const user = signed.actor.user
    const changed = changePasswordWithForm({ clientAddress: request.ip, userId: user.userId, username: user.username, currentPassword, newPassword }).pipe(
      Effect.as({ _tag: "Changed" as const }),
      Effect.catchTags({
        InvalidField: (e) =>
          Effect.succeed({
            _tag: "Refused" as const,
            status: 422,
            errors: e.field === "current_password"
              ? { current_password: `Current password ${e.message}.` }
              : { password: `New password ${e.message}.` }
          }),
        SignInThrottled: (e) =>
          Effect.succeed({
            _tag: "Refused" as const,
            status: 429,
            retryAfterSeconds: e.retryAfterSeconds,
            errors: { form: `Too many wrong passwords. Try again in ${e.retryAfterSeconds} seconds.` }
          })
      }),
      asUser(signed)
    )
    const outcome = await runOnPage(ctx, request, reply, viewerOf(ctx, signed), changed)
    if (outcome === null) return reply
    if (outcome._tag === "Changed") return seeOther(reply, `${EDIT_PATH}?notice=changed`)
    if ("retryAfterSeconds" in outcome) reply.header("retry-after", String(outcome.retryAfterSeconds))
    return page(reply, signed, outcome.status, outcome.errors, null)
  })
}
