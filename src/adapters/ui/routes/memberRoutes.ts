import { Clock, Effect, Option } from "effect"
import type { FastifyReply, FastifyRequest } from "fastify"
import { changeGroup } from "../../../application/useCases/groups.js"
import { AccessLevels, type AccessLevel, isAccessLevel } from "../../../domain/AccessLevel.js"
import { asUser } from "../actingUser.js"
import { parseExpiry } from "../expiryDate.js"
import type { InvalidField } from "../../../domain/errors.js"
import { formField } from "../formBody.js"
import { ownedGroupAt } from "../groupPageData.js"
import { loadMembers, type MembersData } from "../membersData.js"
import { seeOther, sendPage } from "../respond.js"
import { viewerOf } from "../requireSignIn.js"
import { runOnPage, type UiEffect } from "../runOnPage.js"
import type { SignedIn } from "../signedIn.js"
import type { UiContext } from "../uiContext.js"
import type { Viewer } from "../views/layout.js"
import { type AddMemberForm, membersPage, membersPath, removeMemberConfirmPage } from "../views/membersView.js"

type MemberAction = "view" | "add" | "role" | "remove" | "remove/confirm"

const ROUTE = /^\/groups\/(.+?)\/-\/group_members(?:\/(add|role|remove|remove\/confirm))?\/?(?:\?.*)?$/

/** `/groups/<full path>/-/group_members[/action]`, or null for another page. */
export const parseMembersRoute = (url: string): { readonly groupPath: string; readonly action: MemberAction } | null => {
  const match = ROUTE.exec(url)
  const path = match?.[1]
  if (match === null || path === undefined) return null
  try {
    const action = match[2]
    return { groupPath: decodeURIComponent(path), action: action === "add" || action === "role" || action === "remove" || action === "remove/confirm" ? action : "view" }
  } catch (error) {
    if (error instanceof URIError) return null
    throw error
  }
}

const NOTICES = { added: "The member was added.", role_changed: "The role was changed.", removed: "The member was removed." } as const
const noticeOf = (query: unknown): string | null => {
  if (typeof query !== "object" || query === null) return null
  const key: unknown = Reflect.get(query, "notice")
  return key === "added" || key === "role_changed" || key === "removed" ? NOTICES[key] : null
}

const EMPTY_FORM: AddMemberForm = { username: "", accessLevel: AccessLevels.developer }

const postedLevel = (body: unknown): AccessLevel | null => {
  const level = Number(formField(body, "access_level"))
  return isAccessLevel(level) ? level : null
}
const postedUserId = (body: unknown): number => Number(formField(body, "user_id") ?? "")

type Outcome =
  | { readonly _tag: "Redirect"; readonly location: string }
  | { readonly _tag: "Page"; readonly status: number; readonly data: MembersData; readonly form: AddMemberForm }
  | { readonly _tag: "Confirm"; readonly data: MembersData; readonly userId: number }

const done = (fullPath: string, notice: keyof typeof NOTICES): Outcome => ({ _tag: "Redirect", location: `${membersPath(fullPath)}?notice=${notice}` })

/**
 * Every change is for the group's Owners, checked here on the server for the page's 403/404 (the forms are only
 * hidden from others) and again by `changeGroup`, which runs as the signed-in user; its own rules (a top-level
 * group keeps an Owner) apply.
 */
export const memberActions = (signed: SignedIn, groupPath: string, action: Exclude<MemberAction, "view">, body: unknown) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, groupPath)
    const level = postedLevel(body)
    const expiresAtText = (formField(body, "expires_at") ?? "").trim()
    const expiresAt = parseExpiry(expiresAtText)
    const now = new Date(yield* Clock.currentTimeMillis)
    const page = (form: AddMemberForm) => loadMembers(signed, groupPath).pipe(Effect.map((data): Outcome => ({ _tag: "Page", status: 422, data, form })))
    const expiryRefusal = (e: InvalidField) => `Access expiration date ${e.message}.`
    if (action === "add") {
      const username = (formField(body, "username") ?? "").trim()
      const form = { username, accessLevel: level ?? AccessLevels.developer, expiresAt: expiresAtText }
      const refuse = (error: string) => page({ ...form, error })
      const user = signed.state.userNamed(username)
      if (username === "" || Option.isNone(user)) return yield* refuse("Username: no user has this username.")
      if (level === null) return yield* refuse("Role: choose one of the roles.")
      if (expiresAt === "invalid") return yield* page({ ...form, expiryError: "Access expiration date must be a date, YYYY-MM-DD." })
      const added = yield* changeGroup(group.groupId, { _tag: "AddMember", userId: user.value.userId, accessLevel: level, expiry: { expiresAt, now } }).pipe(
        Effect.as({ _tag: "Added" as const }),
        Effect.catchTags({
          MemberAlreadyExists: () => Effect.succeed({ _tag: "Exists" as const }),
          InvalidField: (e) => Effect.succeed({ _tag: "BadExpiry" as const, message: expiryRefusal(e) })
        }),
        asUser(signed)
      )
      if (added._tag === "BadExpiry") return yield* page({ ...form, expiryError: added.message })
      return added._tag === "Added" ? done(group.fullPath, "added") : yield* refuse(`Username: ${username} is already a direct member; change their role below.`)
    }
    const userId = postedUserId(body)
    if (action === "role") {
      const who = Option.match(signed.state.user(userId), { onNone: () => "the member", onSome: (u) => u.username })
      if (expiresAt === "invalid") return yield* page({ ...EMPTY_FORM, alert: `Access expiration date of ${who} must be a date, YYYY-MM-DD.` })
      // Only a form that has the field changes the expiry (an empty field: never expires). With a role, both go in
      // one command, one append: together or not at all.
      const expiry = formField(body, "expires_at") === null ? undefined : { expiresAt, now }
      if (level === null && expiry === undefined) return done(group.fullPath, "role_changed")
      const change = level === null
        ? changeGroup(group.groupId, { _tag: "SetMemberExpiry", userId, expiry: { expiresAt, now } })
        : changeGroup(group.groupId, { _tag: "ChangeMemberAccessLevel", userId, accessLevel: level, expiry, now })
      const refused = yield* change.pipe(
        Effect.as(null),
        Effect.catchTag("InvalidField", (e) => Effect.succeed(`${expiryRefusal(e)} (${who})`)),
        asUser(signed)
      )
      return refused === null ? done(group.fullPath, "role_changed") : yield* page({ ...EMPTY_FORM, alert: refused })
    }
    if (action === "remove") {
      const data = yield* loadMembers(signed, groupPath)
      return { _tag: "Confirm", data, userId } satisfies Outcome
    }
    yield* changeGroup(group.groupId, { _tag: "RemoveMember", userId, now }).pipe(asUser(signed))
    return done(group.fullPath, "removed")
  })

const send = (reply: FastifyReply, viewer: Viewer, outcome: Outcome, notFound: () => FastifyReply): FastifyReply => {
  switch (outcome._tag) {
    case "Redirect":
      return seeOther(reply, outcome.location)
    case "Page":
      return sendPage(reply, outcome.status, membersPage(outcome.data, viewer, outcome.form, null))
    case "Confirm": {
      const row = outcome.data.members.find((m) => m.user.userId === outcome.userId && m.inheritedFrom === null)
      return row === undefined ? notFound() : sendPage(reply, 200, removeMemberConfirmPage(outcome.data, row, viewer))
    }
  }
}

/** Answers a members URL (GET or an already CSRF-checked POST); false when the URL is not one. */
export const handleMembers = async (
  ctx: UiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  signed: SignedIn,
  notFound: () => FastifyReply
): Promise<boolean> => {
  const route = parseMembersRoute(request.url)
  if (route === null) return false
  const viewer = viewerOf(ctx, signed)
  const isGet = request.method === "GET"
  if (isGet !== (route.action === "view")) {
    notFound()
    return true
  }
  const effect: UiEffect<Outcome> = route.action === "view"
    ? loadMembers(signed, route.groupPath).pipe(Effect.map((data): Outcome => ({ _tag: "Page", status: 200, data, form: EMPTY_FORM })))
    : memberActions(signed, route.groupPath, route.action, request.body)
  const outcome = await runOnPage(ctx, request, reply, viewer, effect)
  if (outcome === null) return true
  if (outcome._tag === "Page" && route.action === "view") sendPage(reply, 200, membersPage(outcome.data, viewer, EMPTY_FORM, noticeOf(request.query)))
  else send(reply, viewer, outcome, notFound)
  return true
}
