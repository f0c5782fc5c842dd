import { Effect } from "effect"
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import { allUsers } from "../../../application/queries.js"
import { changeUser, createUser } from "../../../application/useCases/users.js"
import { describeDomainError } from "../../../domain/errorMessages.js"
import { asUser } from "../actingUser.js"
import { requireAdminPage } from "../adminOnly.js"
import { sendNotFound } from "../failures.js"
import { formField } from "../formBody.js"
import { noticeFrom } from "../notices.js"
import { viewerOf } from "../requireSignIn.js"
import { seeOther, sendPage } from "../respond.js"
import { runOnPage } from "../runOnPage.js"
import type { SignedIn } from "../signedIn.js"
import type { UiContext } from "../uiContext.js"
import { ADMIN_USERS_PATH } from "../views/adminNav.js"
import { adminNewUserPage, emptyNewUserForm, type NewUserField, type NewUserForm } from "../views/adminNewUserView.js"
import { adminUsersPage, USER_ACTIONS, type UserAction } from "../views/adminUsersView.js"

const NOTICES = {
  created: "The user was created.",
  block: "The user was blocked: their sessions, tokens and docker logins stop working at once.",
  unblock: "The user was unblocked.",
  grant_admin: "The user is now an administrator.",
  revoke_admin: "The user is no longer an administrator."
}

const COMMANDS = {
  block: { _tag: "BlockUser" },
  unblock: { _tag: "UnblockUser" },
  grant_admin: { _tag: "SetAdmin", admin: true },
  revoke_admin: { _tag: "SetAdmin", admin: false }
} as const

const FIELD_LABELS: Readonly<Record<NewUserField, string>> = { username: "Username", name: "Name", email: "Email", password: "Password" }
const isNewUserField = (field: string): field is NewUserField => Object.hasOwn(FIELD_LABELS, field)

const userAction = (value: unknown): UserAction | null => USER_ACTIONS.find((action) => action === value) ?? null

const oldestFirst = allUsers.pipe(Effect.map((users) => [...users].sort((a, b) => a.userId - b.userId)))

/**
 * The admin area's users: the list, "New user", block and unblock, the admin flag. Each change is a use case
 * issued by the signed-in administrator (ADR 0014), which also refuses blocking or demoting oneself.
 */
export const registerAdminUsers = (app: FastifyInstance, ctx: UiContext): void => {
  const listPage = async (request: FastifyRequest, reply: FastifyReply, signed: SignedIn, status: number, notice: string | null, refusal: string | null) => {
    const viewer = viewerOf(ctx, signed)
    const users = await runOnPage(ctx, request, reply, viewer, oldestFirst)
    return users === null ? reply : sendPage(reply, status, adminUsersPage(viewer, users, notice, refusal))
  }

  app.get(ADMIN_USERS_PATH, async (request, reply) => {
    const signed = await requireAdminPage(ctx, request, reply)
    return signed === null ? reply : listPage(request, reply, signed, 200, noticeFrom(request.query, NOTICES), null)
  })

  app.get(`${ADMIN_USERS_PATH}/new`, async (request, reply) => {
    const signed = await requireAdminPage(ctx, request, reply)
    return signed === null ? reply : sendPage(reply, 200, adminNewUserPage(viewerOf(ctx, signed), emptyNewUserForm))
  })

  app.post(ADMIN_USERS_PATH, async (request, reply) => {
    const signed = await requireAdminPage(ctx, request, reply)
    if (signed === null) return reply
    const viewer = viewerOf(ctx, signed)
    const body = request.body
    const form: NewUserForm = {
      username: (formField(body, "username") ?? "").trim(),
      name: (formField(body, "name") ?? "").trim(),
      email: (formField(body, "email") ?? "").trim(),
      admin: formField(body, "admin") !== null,
      errors: {}
    }
    if (form.name === "") return sendPage(reply, 422, adminNewUserPage(viewer, { ...form, errors: { name: "Name can't be blank." } }))
    const created = createUser({ username: form.username, name: form.name, email: form.email, password: formField(body, "password") ?? "", admin: form.admin }).pipe(
      Effect.as({ _tag: "Created" as const }),
      Effect.catchTags({
        InvalidField: (e) => Effect.succeed({ _tag: "Refused" as const, field: e.field, message: `${e.message}.` }),
        NameTaken: () => Effect.succeed({ _tag: "Refused" as const, field: "username", message: "has already been taken." })
      }),
      asUser(signed)
    )
    const outcome = await runOnPage(ctx, request, reply, viewer, created)
    if (outcome === null) return reply
    if (outcome._tag === "Created") return seeOther(reply, `${ADMIN_USERS_PATH}?notice=created`)
    const errors = isNewUserField(outcome.field)
      ? { [outcome.field]: `${FIELD_LABELS[outcome.field]} ${outcome.message}` }
      : { form: `${outcome.field} ${outcome.message}` }
    return sendPage(reply, 422, adminNewUserPage(viewer, { ...form, errors }))
  })

  app.post(`${ADMIN_USERS_PATH}/:id/:action`, async (request, reply) => {
    const signed = await requireAdminPage(ctx, request, reply)
    if (signed === null) return reply
    const action = userAction(Reflect.get(request.params ?? {}, "action"))
    const userId = Number(Reflect.get(request.params ?? {}, "id"))
    if (action === null || !Number.isSafeInteger(userId)) return sendNotFound(reply, viewerOf(ctx, signed))
    const changed = changeUser(userId, COMMANDS[action]).pipe(
      Effect.as({ _tag: "Changed" as const }),
      Effect.catchTags({
        // Refusals of the rules (blocking oneself) are shown on the list; an unknown id is the usual 404.
        NotAllowed: (e) => Effect.succeed({ _tag: "Refused" as const, reason: `Not done: ${describeDomainError(e)}.` }),
        UserNotFound: () => Effect.succeed({ _tag: "NotFound" as const })
      }),
      asUser(signed)
    )
    const outcome = await runOnPage(ctx, request, reply, viewerOf(ctx, signed), changed)
    if (outcome === null) return reply
    switch (outcome._tag) {
      case "Changed":
        return seeOther(reply, `${ADMIN_USERS_PATH}?notice=${action}`)
      case "NotFound":
        return sendNotFound(reply, viewerOf(ctx, signed))
      case "Refused":
        return listPage(request, reply, signed, 403, null, outcome.reason)
    }
  })
}
