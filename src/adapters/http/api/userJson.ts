import type { ApiActor } from "../../../application/api/apiActor.js"
import type { UserView } from "../../../domain/views.js"
import { isoTime } from "./dates.js"
import { userWebUrl } from "./groupJson.js"

/**
 * A user as GitLab's API shows one. Fields are listed one by one so that nothing else of the view (the
 * password hash above all) can ever slip out; email is for admins and the user themself, `is_admin` for admins.
 */
export const userJson = (user: UserView, viewer: ApiActor, externalUrl: string) => ({
  id: user.userId,
  username: user.username,
  name: user.name,
  state: user.blocked ? "blocked" : "active",
  locked: false,
  avatar_url: null,
  web_url: userWebUrl(user, externalUrl),
  bot: user.bot,
  two_factor_enabled: user.twoFactorEnabled,
  created_at: isoTime(user.createdAt),
  ...(viewer.user.admin || viewer.user.userId === user.userId ? { email: user.email } : {}),
  ...(viewer.user.admin ? { is_admin: user.admin } : {})
})
