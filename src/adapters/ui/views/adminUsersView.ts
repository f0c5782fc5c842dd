import type { UserView } from "../../../domain/views.js"
import { type Html, html } from "../html.js"
import { adminNav, ADMIN_USERS_PATH } from "./adminNav.js"
import { csrfInput, layout, type Viewer } from "./layout.js"

/** The one-click changes an administrator makes to a user, each its own post. */
export const USER_ACTIONS = ["block", "unblock", "grant_admin", "revoke_admin"] as const
export type UserAction = typeof USER_ACTIONS[number]

const LABELS: Readonly<Record<UserAction, string>> = { block: "Block", unblock: "Unblock", grant_admin: "Make admin", revoke_admin: "Remove admin" }

const actionButton = (user: UserView, action: UserAction, csrf: string): Html =>
  html`<form method="post" action="${ADMIN_USERS_PATH}/${String(user.userId)}/${action}">${csrfInput(csrf)}
<button type="submit" class="button ${action === "block" ? "danger" : "secondary"}">${LABELS[action]}<span class="visually-hidden"> ${user.username}</span></button></form>`

/** What may be done to this user from here: never blocking or demoting oneself (the use case refuses it too). */
const actionsFor = (user: UserView, self: boolean): ReadonlyArray<UserAction> => [
  ...(user.blocked ? ["unblock" as const] : self ? [] : ["block" as const]),
  ...(user.admin ? (self ? [] : ["revoke_admin" as const]) : ["grant_admin" as const])
]

const row = (user: UserView, viewer: Viewer): Html => {
  const self = user.username === viewer.username
  return html`<tr>
<th scope="row">${user.username}${self && html` <span class="badge off">It's you</span>`}${user.bot && html` <span class="badge off">Bot</span>`}
<span class="subtitle">${user.name} · ${user.email}</span></th>
<td>${user.blocked ? html`<span class="badge off">Blocked</span>` : html`<span class="badge on">Active</span>`}</td>
<td>${user.admin ? "Administrator" : "Regular"}</td>
<td>${user.twoFactorEnabled ? "Enabled" : "Disabled"}</td>
<td><div class="actions row-actions">${actionsFor(user, self).map((action) => actionButton(user, action, viewer.csrf))}</div></td>
</tr>`
}

/** Every user, oldest first, with their state, access level and two-factor state, and what an admin may change. */
export const adminUsersPage = (viewer: Viewer, users: ReadonlyArray<UserView>, notice: string | null, refusal: string | null): Html =>
  layout("Users · Admin area", viewer, html`${adminNav("users")}
<h1>Users</h1>
${notice !== null && html`<div class="notice success" role="status">${notice}</div>`}
${refusal !== null && html`<div class="notice error" role="alert">${refusal}</div>`}
<p><a class="button" href="${ADMIN_USERS_PATH}/new">New user</a></p>
<div class="table-wrap" role="region" aria-labelledby="users-caption" tabindex="0"><table id="users">
<caption id="users-caption">${String(users.length)} users</caption>
<thead><tr><th scope="col">User</th><th scope="col">State</th><th scope="col">Access</th>
<th scope="col">Two-factor authentication</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${users.map((user) => row(user, viewer))}</tbody></table></div>`)
