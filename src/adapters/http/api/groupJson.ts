import type { GroupView, MembershipView, UserView } from "../../../domain/views.js"
import { isoTime } from "./dates.js"

export const groupJson = (group: GroupView, externalUrl: string) => ({
  id: group.groupId,
  name: group.name,
  path: group.path,
  full_path: group.fullPath,
  parent_id: group.parentId,
  created_at: isoTime(group.createdAt),
  web_url: `${externalUrl.replace(/\/+$/, "")}/groups/${group.fullPath}`
})

/** A member: the user's public fields and the membership's role and date. */
export const memberJson = (membership: MembershipView, user: UserView) => ({
  id: user.userId,
  username: user.username,
  name: user.name,
  state: user.blocked ? "blocked" : "active",
  access_level: membership.accessLevel,
  created_at: isoTime(membership.createdAt)
})
