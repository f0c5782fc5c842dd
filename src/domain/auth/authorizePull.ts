import type { AccessLevel } from "../AccessLevel.js"
import { AccessLevels } from "../AccessLevel.js"
import type { Principal } from "./Principal.js"

/** The group being pulled through, as far as authorization needs it. */
export interface PullTarget {
  readonly groupId: number
  /** Root first. */
  readonly ancestorIds: ReadonlyArray<number>
  readonly proxyEnabled: boolean
  /** SAML SSO enforced on the group's top-level group. */
  readonly ssoEnforced: boolean
}

/** Everything the rule looks at besides the principal; gathered by the application from its auth view. */
export interface PullContext {
  /** `DEPENDENCY_PROXY_ENABLED`. */
  readonly instanceEnabled: boolean
  /** null when no group has that path. */
  readonly group: PullTarget | null
  /** The principal's (or its bot's) direct memberships, by group id. */
  readonly memberships: ReadonlyMap<number, AccessLevel>
  /** An active SSO session with the group's top-level group. */
  readonly ssoSessionActive: boolean
}

export type DenialReason =
  | "instance_disabled"
  | "group_not_found"
  | "proxy_disabled"
  | "blocked"
  | "not_a_member"
  | "sso_session_required"
  | "outside_job_reach"

export type PullDecision = { readonly _tag: "Allowed" } | { readonly _tag: "Denied"; readonly reason: DenialReason }

const allowed: PullDecision = { _tag: "Allowed" }
const denied = (reason: DenialReason): PullDecision => ({ _tag: "Denied", reason })

/** The highest role held on the group itself or inherited from any ancestor; 0 for none. */
export const effectiveAccessLevel = (
  memberships: ReadonlyMap<number, AccessLevel>,
  group: { readonly groupId: number; readonly ancestorIds: ReadonlyArray<number> }
): number =>
  Math.max(0, ...[group.groupId, ...group.ancestorIds].map((id) => memberships.get(id) ?? 0))

/**
 * May this principal pull through this group's dependency proxy? (SPEC §4.) The HTTP edge answers every
 * denial the same way (404 NAME_UNKNOWN), so the reason is for logs and tests only.
 */
export const authorizePull = (principal: Principal, context: PullContext): PullDecision => {
  if (!context.instanceEnabled) return denied("instance_disabled")
  const group = context.group
  if (group === null) return denied("group_not_found")
  if (!group.proxyEnabled) return denied("proxy_disabled")
  switch (principal._tag) {
    case "DeployTokenPrincipal":
      // Deploy tokens are exempt from SSO: they are not people.
      return principal.groupId === group.groupId || group.ancestorIds.includes(principal.groupId)
        ? allowed
        : denied("not_a_member")
    case "GroupTokenPrincipal":
      if (principal.blocked) return denied("blocked")
      return effectiveAccessLevel(context.memberships, group) >= AccessLevels.guest ? allowed : denied("not_a_member")
    case "UserPrincipal":
      if (principal.blocked) return denied("blocked")
      // A job token reaches only its own top-level group's tree, and there only what its user may read.
      if (principal.reach !== null && (group.ancestorIds[0] ?? group.groupId) !== principal.reach) return denied("outside_job_reach")
      // Instance admins read every group, and admin mode does not apply to the dependency proxy.
      if (principal.admin) return allowed
      if (effectiveAccessLevel(context.memberships, group) < AccessLevels.guest) return denied("not_a_member")
      return group.ssoEnforced && !context.ssoSessionActive ? denied("sso_session_required") : allowed
  }
}
