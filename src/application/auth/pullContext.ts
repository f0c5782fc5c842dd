import { Option } from "effect"
import type { PullContext } from "../../domain/auth/authorizePull.js"
import type { Principal } from "../../domain/auth/Principal.js"
import { isSsoSessionActive } from "../../domain/sso/SsoSession.js"
import type { LiveState } from "../LiveView.js"

const memberUserId = (principal: Principal): number | null =>
  principal._tag === "UserPrincipal" ? principal.userId : principal._tag === "GroupTokenPrincipal" ? principal.botUserId : null

/** Gathers, from the auth view, what the pure authorization rule needs to judge a pull through `groupPath`. */
export const pullContext = (state: LiveState, principal: Principal, groupPath: string, instanceEnabled: boolean, now: Date): PullContext => {
  const group = state.groupAt(groupPath)
  const userId = memberUserId(principal)
  if (Option.isNone(group)) {
    return { instanceEnabled, group: null, memberships: new Map(), ssoSessionActive: false }
  }
  const g = group.value
  const topLevelId = g.ancestorIds[0] ?? g.groupId
  const topLevel = topLevelId === g.groupId ? group : state.group(topLevelId)
  const ssoEnforced = Option.match(topLevel, { onNone: () => false, onSome: (t) => t.settings.ssoEnforced })
  return {
    instanceEnabled,
    group: { groupId: g.groupId, ancestorIds: g.ancestorIds, proxyEnabled: g.settings.enabled, ssoEnforced },
    memberships: userId === null ? new Map() : state.membershipsOf(userId),
    ssoSessionActive: userId !== null && isSsoSessionActive(Option.getOrNull(state.ssoSession(userId, topLevelId)), now)
  }
}
