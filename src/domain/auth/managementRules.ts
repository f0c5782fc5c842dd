import type { AccessLevel } from "../AccessLevel.js"
import { AccessLevels } from "../AccessLevel.js"
import type { TokenKind } from "../token/TokenKind.js"
import { effectiveAccessLevel } from "./authorizePull.js"

/**
 * Who may manage what (SPEC §4, §7): pure rules beside `authorizePull`, so the REST API, GraphQL, the UI and
 * the CLI get one answer. The application gathers the facts from its view and turns a refusal into
 * `NotAllowed` with the reason.
 */

/** A user acting on the instance, as the rules need them. */
export interface Caller {
  readonly userId: number
  readonly admin: boolean
  readonly blocked: boolean
  /** Direct memberships, by group id. */
  readonly memberships: ReadonlyMap<number, AccessLevel>
}

/** A group's place in the tree. */
export interface GroupPlace {
  readonly groupId: number
  /** Root first. */
  readonly ancestorIds: ReadonlyArray<number>
}

export type Verdict = { readonly _tag: "Allowed" } | { readonly _tag: "Refused"; readonly reason: string }

const allowed: Verdict = { _tag: "Allowed" }
const refused = (reason: string): Verdict => ({ _tag: "Refused", reason })
const first = (...verdicts: ReadonlyArray<() => Verdict>): Verdict => {
  for (const verdict of verdicts) {
    const v = verdict()
    if (v._tag === "Refused") return v
  }
  return allowed
}

const active = (caller: Caller): Verdict => (caller.blocked ? refused("the user is blocked") : allowed)

/** The caller's role on the group, direct or inherited; admins count as Owner everywhere. */
export const roleOf = (caller: Caller, group: GroupPlace): number =>
  caller.admin ? AccessLevels.owner : effectiveAccessLevel(caller.memberships, group)

/** Guest or more (or admin): may see the group, its members, its cache and its settings (not the secret). */
export const mayReadGroup = (caller: Caller, group: GroupPlace): Verdict =>
  first(() => active(caller), () => (roleOf(caller, group) >= AccessLevels.guest ? allowed : refused("not a member of the group")))

/** Owner (or admin): settings, members, tokens, subgroups, purge, settings history (GitLab 17.0+). */
export const mayManageGroup = (caller: Caller, group: GroupPlace): Verdict =>
  first(() => active(caller), () => (roleOf(caller, group) >= AccessLevels.owner ? allowed : refused("the Owner role is required")))

/**
 * Deleting a group (and its subgroups, tokens and cache) is an Owner's, inherited or direct, or an
 * administrator's, as in GitLab; Maintainers and below may not.
 */
export const mayDeleteGroup = (caller: Caller, group: GroupPlace): Verdict => mayManageGroup(caller, group)

/** Who may create top-level groups is an instance setting: everyone (GitLab's default) or administrators. */
export const mayCreateTopLevelGroup = (caller: Caller, usersMayCreateGroups: boolean): Verdict =>
  first(() => active(caller), () =>
    caller.admin || usersMayCreateGroups ? allowed : refused("only administrators may create top-level groups on this instance"))

/** What concerns one user: that user, or an administrator. */
const selfOrAdmin = (caller: Caller, userId: number, reason: string): Verdict =>
  first(() => active(caller), () => (caller.admin || caller.userId === userId ? allowed : refused(reason)))

/** A user's own tokens, or anyone's for an admin. */
export const mayCreatePersonalToken = (caller: Caller, forUserId: number): Verdict =>
  selfOrAdmin(caller, forUserId, "only administrators create tokens for other users")

/**
 * Revoking a token: a personal token by its user (or an administrator), a deploy or group access token by an
 * Owner of its group, a CI job token by an administrator (who alone mints them; the job ends its own token
 * through its own route, `finishJob`).
 */
export const mayRevokeToken = (
  caller: Caller,
  token: { readonly kind: TokenKind; readonly userId: number | null },
  group: GroupPlace | null
): Verdict => {
  switch (token.kind) {
    case "personal":
      return selfOrAdmin(caller, token.userId ?? Number.NaN, "only administrators revoke other users' tokens")
    case "deploy":
    case "group_access":
      return group === null ? mayAdministerInstance(caller) : mayManageGroup(caller, group)
    case "job":
      return mayAdministerInstance(caller)
  }
}

/** Owner of the group; the token's role may not exceed the creator's own (as GitLab refuses). */
export const mayCreateGroupAccessToken = (caller: Caller, group: GroupPlace, level: AccessLevel): Verdict =>
  first(
    () => mayManageGroup(caller, group),
    () => (level <= roleOf(caller, group) ? allowed : refused("a group access token cannot have a higher role than its creator"))
  )

/** The job's user must be able to run a job in the group: Developer or more, directly or inherited. */
export const JOB_USER_MINIMUM = AccessLevels.developer

/**
 * CI job tokens: only an administrator mints them, standing in for the CI system (a group Owner could
 * otherwise mint one for any user and act as them), and only for an active user who has at least Developer
 * in the group, as GitLab runs jobs only for such users.
 */
export const mayMintJobToken = (caller: Caller, jobUser: Caller, group: GroupPlace): Verdict =>
  first(
    () => active(caller),
    () => (caller.admin ? allowed : refused("only administrators (the CI system) create CI job tokens")),
    () => (jobUser.blocked ? refused("the job's user is blocked") : allowed),
    () =>
      effectiveAccessLevel(jobUser.memberships, group) >= JOB_USER_MINIMUM
        ? allowed
        : refused("the job's user needs at least the Developer role in the group")
  )

/** What `api` (complete API and registry access) does not include: acting as others, and admin mode. */
const BEYOND_API = new Set(["sudo", "admin_mode"])

const covers = (held: ReadonlyArray<string>, scope: string): boolean =>
  held.includes(scope) || (held.includes("api") && !BEYOND_API.has(scope))

/**
 * A token made with a token (a user's own API call) may not be wider than the token that made it: a stolen
 * `read_api` token must not become an `api` one, nor an OAuth token a `sudo` one.
 */
export const mayGrantScopes = (held: ReadonlyArray<string>, requested: ReadonlyArray<string>): Verdict => {
  const wider = requested.filter((scope) => !covers(held, scope))
  return wider.length === 0 ? allowed : refused(`the calling token cannot grant ${wider.join(", ")}`)
}

/** Instance settings, users and other administrators' business. */
export const mayAdministerInstance = (caller: Caller): Verdict =>
  first(() => active(caller), () => (caller.admin ? allowed : refused("administrator access is required")))

/** Administrators delete other users; never themselves (perhaps the last administrator), never a token's bot. */
export const mayDeleteUser = (caller: Caller, user: { readonly userId: number; readonly bot: boolean }): Verdict =>
  first(
    () => mayAdministerInstance(caller),
    () => (caller.userId === user.userId ? refused("an administrator cannot delete themselves") : allowed),
    () => (user.bot ? refused("a bot user goes with its group access token: revoke the token instead") : allowed)
  )

/**
 * Administrators block users and change the admin flag; never blocking or demoting themselves, which could
 * lock the last administrator out of the instance.
 */
export const mayChangeUserAccess = (caller: Caller, userId: number, change: "block" | "unblock" | "grantAdmin" | "revokeAdmin" | "other"): Verdict =>
  first(
    () => mayAdministerInstance(caller),
    () => (caller.userId === userId && change === "block" ? refused("an administrator cannot block themselves") : allowed),
    () => (caller.userId === userId && change === "revokeAdmin" ? refused("an administrator cannot remove their own administrator access") : allowed)
  )

/**
 * Signing out ends one's own browser session, and only one's own: no one else holds it. A blocked user may
 * too, since it only takes access away (the session would come back with an unblock).
 */
export const mayEndSession = (caller: Caller, userId: number): Verdict =>
  caller.userId === userId ? allowed : refused("only the user signs out of their own session")

/** One's own password, or anyone's for an administrator. */
export const mayChangePassword = (caller: Caller, userId: number): Verdict =>
  selfOrAdmin(caller, userId, "only administrators change other users' passwords")
