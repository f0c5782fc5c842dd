import type { GroupView, MembershipView, UserView } from "../../../domain/views.js"
import { GROUP_VISIBILITY } from "../../../domain/group/GroupVisibility.js"
import { isoTime } from "./dates.js"

const site = (externalUrl: string) => externalUrl.replace(/\/+$/, "")

/**
 * A group with GitLab's common fields. Every group here is private (only members see it) and has no
 * avatar; `full_name` joins the names from the top, as GitLab writes it (`Top / Sub`).
 */
export const groupJson = (group: GroupView, externalUrl: string, nameOf: (groupId: number) => string) => ({
  id: group.groupId,
  name: group.name,
  path: group.path,
  description: group.description ?? "",
  visibility: GROUP_VISIBILITY,
  full_name: [...group.ancestorIds.map(nameOf), group.name].join(" / "),
  full_path: group.fullPath,
  parent_id: group.parentId,
  avatar_url: null,
  created_at: isoTime(group.createdAt),
  web_url: `${site(externalUrl)}/groups/${group.fullPath}`
})

/** A user's page, as GitLab links one. */
export const userWebUrl = (user: UserView, externalUrl: string) => `${site(externalUrl)}/${user.username}`

/** A member: the user's public fields and the membership's role and date. */
export const memberJson = (membership: MembershipView, user: UserView, externalUrl: string) => ({
  id: user.userId,
  username: user.username,
  name: user.name,
  state: user.blocked ? "blocked" : "active",
  avatar_url: null,
  web_url: userWebUrl(user, externalUrl),
  access_level: membership.accessLevel,
  created_at: isoTime(membership.createdAt),
  // GitLab's member `expires_at`: a date, or null for never.
  expires_at: membership.expiresAt?.toISOString().slice(0, 10) ?? null
})
