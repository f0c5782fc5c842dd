import { accessLevelName, type AccessLevel, AccessLevels } from "../../../domain/AccessLevel.js"
import type { MemberRow, MembersData } from "../membersData.js"
import { type Html, html } from "../html.js"
import { inputField } from "./fields.js"
import { csrfInput, layout, type Viewer } from "./layout.js"

export const membersPath = (fullPath: string, action?: string): string =>
  `/groups/${fullPath}/-/group_members${action === undefined ? "" : `/${action}`}`

const LEVELS: ReadonlyArray<AccessLevel> = [AccessLevels.guest, AccessLevels.reporter, AccessLevels.developer, AccessLevels.maintainer, AccessLevels.owner]

export const roleSelect = (id: string, selected: AccessLevel, label: Html): Html => html`<label for="${id}">${label}</label>
<select id="${id}" name="access_level">
${LEVELS.map((level) => html`<option value="${String(level)}"${level === selected && html` selected`}>${accessLevelName(level)}</option>`)}
</select>`

export interface AddMemberForm {
  readonly username: string
  readonly accessLevel: AccessLevel
  readonly error?: string | undefined
}

const memberRow = (data: MembersData, row: MemberRow, csrf: string): Html => {
  const manage = data.isOwner && row.inheritedFrom === null
  return html`<tr>
<td><strong>${row.user.username}</strong> <span class="hint">${row.user.name}</span></td>
<td>${manage
    ? html`<form method="post" action="${membersPath(data.group.fullPath, "role")}" class="actions">${csrfInput(csrf)}
<input type="hidden" name="user_id" value="${String(row.user.userId)}">
${roleSelect(`role-${row.user.userId}`, row.accessLevel, html`<span class="visually-hidden">Role of ${row.user.username}</span>`)}
<button type="submit" class="button secondary">Change role</button></form>`
    : accessLevelName(row.accessLevel)}</td>
<td>${row.inheritedFrom === null ? "Direct member" : html`Inherited from <code>${row.inheritedFrom.fullPath}</code>`}</td>
<td>${manage && html`<form method="post" action="${membersPath(data.group.fullPath, "remove")}">${csrfInput(csrf)}
<input type="hidden" name="user_id" value="${String(row.user.userId)}">
<button type="submit" class="button danger">Remove ${row.user.username}</button></form>`}</td>
</tr>`
}

/** `/groups/<path>/-/group_members`: everyone who can see the group sees its members; Owners manage the direct ones. */
export const membersPage = (data: MembersData, viewer: Viewer, form: AddMemberForm, notice: string | null): Html =>
  layout(`Members · ${data.group.fullPath}`, viewer, html`<nav class="breadcrumb" aria-label="Breadcrumb"><ol>
<li><a href="/groups">Groups</a></li>
<li><a href="/groups/${data.group.fullPath}/-/dependency_proxy">${data.group.fullPath}</a></li>
<li><a href="${membersPath(data.group.fullPath)}" aria-current="page">Members</a></li>
</ol></nav>
<h1>Members <span class="subtitle">${data.group.name} (<code>${data.group.fullPath}</code>)</span></h1>
${notice !== null && html`<div class="notice success" role="status">${notice}</div>`}
${data.isOwner && html`<section aria-labelledby="add-heading" class="card">
<h2 id="add-heading">Add a member</h2>
<form method="post" action="${membersPath(data.group.fullPath, "add")}">
${csrfInput(viewer.csrf)}
${inputField({ id: "member-username", name: "username", label: "Username", type: "text", value: form.username, autocomplete: "off", error: form.error })}
<div class="field">${roleSelect("member-role", form.accessLevel, html`Role`)}</div>
<button type="submit" class="button">Add member</button>
</form>
</section>`}
<div class="table-wrap" role="region" aria-label="Members" tabindex="0">
<table>
<thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Source</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>
${data.members.map((row) => memberRow(data, row, viewer.csrf))}
</tbody>
</table>
</div>`)

/** Removing a member asks first, on a page of its own (works without JavaScript). */
export const removeMemberConfirmPage = (data: MembersData, row: MemberRow, viewer: Viewer): Html =>
  layout("Remove member", viewer, html`<h1>Remove ${row.user.username} from ${data.group.fullPath}?</h1>
<p>${row.user.username} loses the ${accessLevelName(row.accessLevel)} role here; roles inherited from ancestor groups stay.</p>
<form method="post" action="${membersPath(data.group.fullPath, "remove/confirm")}" class="actions">
${csrfInput(viewer.csrf)}
<input type="hidden" name="user_id" value="${String(row.user.userId)}">
<button type="submit" class="button danger">Remove member</button>
<a href="${membersPath(data.group.fullPath)}">Cancel</a>
</form>`)
