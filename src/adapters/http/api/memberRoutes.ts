import { Clock, Effect, Either, Option, Schema } from "effect"
import { allMemberships, allUsers } from "../../../application/queries.js"
import { changeGroup } from "../../../application/useCases/groups.js"
import { checkExpiry } from "../../../domain/group/groupMembers.js"
import type { GroupView } from "../../../domain/views.js"
import { ApiNotFound } from "./apiErrors.js"
import { created, noContent, ok } from "./apiResponse.js"
import type { ApiContext, ApiRouter } from "./apiRoute.js"
import { ownedGroupParam, visibleGroupParam } from "./groupAccess.js"
import { memberJson } from "./groupJson.js"
import { matchesSearch } from "./listFilters.js"
import { paginated } from "./pagination.js"
import { AccessLevelParam, DayParam, decodeParams, IdParam, InvalidParams, optional, TextParam } from "./params.js"
import { pathId } from "./pathParams.js"

// GitLab names the new member by `user_id` or by `username`, exactly one of them; `expires_at` is a day
// (YYYY-MM-DD) from whose start the membership grants nothing (ADR 0022).
const NewMember = Schema.Struct({
  access_level: AccessLevelParam,
  user_id: optional(IdParam),
  username: optional(TextParam),
  expires_at: optional(DayParam)
})
const RoleChange = Schema.Struct({ access_level: AccessLevelParam, expires_at: optional(DayParam) })

/** An update changes the expiry only when it names `expires_at`; `null` there clears it (never expires). */
const namesExpiry = (body: unknown): boolean => typeof body === "object" && body !== null && "expires_at" in body

/** The expiry as the decider takes it, checked before anything is changed (a past day names the field). */
const expiryOf = (expiresAt: Date | undefined) =>
  Clock.currentTimeMillis.pipe(Effect.flatMap((millis) => {
    const expiry = { expiresAt: expiresAt ?? null, now: new Date(millis) }
    return Either.match(checkExpiry(expiry), { onLeft: Effect.fail, onRight: () => Effect.succeed(expiry) })
  }))
const MemberFilter = Schema.Struct({ query: optional(TextParam) })

type MemberJson = ReturnType<typeof memberJson>

/**
 * Memberships of the given groups, each with its user, as member JSON. Memberships are read before users:
 * a user exists before anyone can be made a member, so every membership finds its user; one that does not
 * is logged and left out rather than failing the whole listing.
 */
const membersIn = (context: ApiContext, groupIds: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const memberships = (yield* allMemberships).filter((m) => groupIds.includes(m.groupId))
    const users = new Map((yield* allUsers).map((u) => [u.userId, u]))
    const shown: Array<MemberJson> = []
    for (const membership of memberships) {
      const user = users.get(membership.userId)
      if (user === undefined) yield* Effect.logWarning(`membership of group ${membership.groupId} names missing user ${membership.userId}`)
      else shown.push(memberJson(membership, user, context.externalUrl))
    }
    return shown
  })

/** Direct members, by user id. */
const directMembers = (context: ApiContext, group: GroupView) =>
  membersIn(context, [group.groupId]).pipe(Effect.map((all) => all.sort((a, b) => a.id - b.id)))

/** Direct and inherited members; a user's highest role wins, as GitLab's `members/all`. */
const allMembers = (context: ApiContext, group: GroupView) =>
  membersIn(context, [group.groupId, ...group.ancestorIds]).pipe(Effect.map((all) => {
    const best = new Map<number, MemberJson>()
    for (const json of all) {
      const current = best.get(json.id)
      if (current === undefined || json.access_level > current.access_level) best.set(json.id, json)
    }
    return [...best.values()].sort((a, b) => a.id - b.id)
  }))

const found = (member: MemberJson | undefined) =>
  member === undefined ? Effect.fail(new ApiNotFound({ what: "Member" })) : Effect.succeed(member)

const memberOf = (context: ApiContext, group: GroupView, userId: number) =>
  directMembers(context, group).pipe(Effect.flatMap((members) => found(members.find((m) => m.id === userId))))

const memberInPath = (context: ApiContext, group: GroupView) =>
  pathId(context.request, "user_id", "Member").pipe(Effect.flatMap((userId) => memberOf(context, group, userId)))

/** GitLab's member list filter (`query`, on name and username), then a page. */
const listMembers = (context: ApiContext, members: ReadonlyArray<MemberJson>) =>
  decodeParams(MemberFilter, context.request.query).pipe(Effect.flatMap((filter) =>
    paginated(context, members.filter((m) => matchesSearch(filter.query, m.username, m.name)), (m) => m)))

const EXACTLY_ONE = "user_id, username are missing, exactly one parameter must be provided"
const BOTH = "user_id, username are mutually exclusive"

/** The new member's parameters, with grape's `exactly_one_of` problem reported beside the others. */
const newMemberParams = (body: unknown) =>
  decodeParams(NewMember, body).pipe(
    Effect.either,
    Effect.flatMap((decoded) => {
      const raw = Schema.decodeUnknownOption(Schema.Struct({ user_id: Schema.optional(Schema.Unknown), username: Schema.optional(Schema.Unknown) }))(body ?? {})
      const named = Option.match(raw, { onNone: () => 0, onSome: (r) => [r.user_id, r.username].filter((v) => v !== undefined && v !== null).length })
      const naming = named === 1 ? [] : [named === 0 ? EXACTLY_ONE : BOTH]
      if (decoded._tag === "Left") return Effect.fail(new InvalidParams({ problems: [...decoded.left.problems, ...naming] }))
      return naming.length > 0 ? Effect.fail(new InvalidParams({ problems: naming })) : Effect.succeed(decoded.right)
    })
  )

/** The user a new membership names, by id or by username. */
const newMemberId = (context: ApiContext, input: typeof NewMember.Type) =>
  Option.match(input.user_id !== undefined ? context.state.user(input.user_id) : context.state.userNamed(input.username ?? ""), {
    onNone: () => Effect.fail(new ApiNotFound({ what: "User" })),
    onSome: (user) => Effect.succeed(user.userId)
  })

/** Group members: Guests and up list them; changes need Owner (GitLab 17+ for the dependency proxy's groups). */
export const registerMemberRoutes = (router: ApiRouter) => {
  router.get("/groups/:id/members", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.flatMap((group) => directMembers(context, group)), Effect.flatMap((members) => listMembers(context, members))))

  router.get("/groups/:id/members/all", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.flatMap((group) => allMembers(context, group)), Effect.flatMap((members) => listMembers(context, members))))

  router.get("/groups/:id/members/all/:user_id", "read", (context) =>
    Effect.gen(function*() {
      const group = yield* visibleGroupParam(context)
      const userId = yield* pathId(context.request, "user_id", "Member")
      return ok(yield* found((yield* allMembers(context, group)).find((m) => m.id === userId)))
    }))

  router.get("/groups/:id/members/:user_id", "read", (context) =>
    visibleGroupParam(context).pipe(Effect.flatMap((group) => memberInPath(context, group)), Effect.map(ok)))

  router.post("/groups/:id/members", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* ownedGroupParam(context)
      const input = yield* newMemberParams(context.request.body)
      const userId = yield* newMemberId(context, input)
      const expiry = yield* expiryOf(input.expires_at)
      yield* changeGroup(group.groupId, { _tag: "AddMember", userId, accessLevel: input.access_level, expiry })
      return created(yield* memberOf(context, group, userId))
    }))

  router.put("/groups/:id/members/:user_id", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* ownedGroupParam(context)
      const member = yield* memberInPath(context, group)
      const input = yield* decodeParams(RoleChange, context.request.body)
      // Checked before anything changes, so a past day changes nothing; then one command, one append: the role and
      // the expiry change together or not at all.
      const expiry = namesExpiry(context.request.body) ? yield* expiryOf(input.expires_at) : undefined
      const now = new Date(yield* Clock.currentTimeMillis)
      yield* changeGroup(group.groupId, { _tag: "ChangeMemberAccessLevel", userId: member.id, accessLevel: input.access_level, expiry, now })
      return ok(yield* memberOf(context, group, member.id))
    }))

  router.delete("/groups/:id/members/:user_id", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* ownedGroupParam(context)
      const member = yield* memberInPath(context, group)
      yield* changeGroup(group.groupId, { _tag: "RemoveMember", userId: member.id, now: new Date(yield* Clock.currentTimeMillis) })
      return noContent
    }))
}
