import { accessLevelName, type AccessLevel } from "../../../domain/AccessLevel.js"
import type { GroupView, TokenView } from "../../../domain/views.js"
import type { GroupTokenKind } from "../groupTokenKinds.js"
import { settingsPath } from "../groupSettingsRoute.js"
import { type Html, html } from "../html.js"
import { checkboxField, inputField } from "./fields.js"
import { timeTag } from "./format.js"
import { csrfInput, layout, type Viewer } from "./layout.js"
import { roleSelect } from "./membersView.js"
import { settingsBreadcrumb } from "./settingsBreadcrumb.js"

export interface GroupTokenForm {
  readonly name: string
  readonly scopes: ReadonlyArray<string>
  readonly expiresAt: string
  /** Deploy tokens only; empty: GitLab's `gitlab+deploy-token-<id>`. */
  readonly username: string
  /** Group access tokens only: the bot member's role. */
  readonly accessLevel: AccessLevel
  readonly errors: { readonly [field in "name" | "scopes" | "expires_at" | "username" | "form"]?: string }
}

/** A token just made: the only time its secret is on a page. */
export interface CreatedToken {
  readonly token: string
  readonly username: string | null
}

export interface GroupTokensPage {
  readonly kind: GroupTokenKind
  readonly group: GroupView
  readonly tokens: ReadonlyArray<TokenView>
  readonly now: Date
  readonly maxLifetimeDays: number
  readonly form: GroupTokenForm
  readonly created: CreatedToken | null
  readonly notice: string | null
  readonly viewer: Viewer
}

const when = (date: Date | null): Html | string => (date === null ? "Never" : timeTag(date))

const isActive = (token: TokenView, now: Date): boolean => !token.revoked && (token.expiresAt === null || token.expiresAt > now)

const detailCells = (page: GroupTokensPage, token: TokenView): Html => html`<td>${token.name}</td>
${page.kind.kind === "deploy" ? html`<td><code>${token.username ?? ""}</code></td>` : html`<td>${token.accessLevel === null ? "" : accessLevelName(token.accessLevel)}</td>`}
<td>${token.scopes.join(", ")}</td><td>${timeTag(token.createdAt)}</td><td>${when(token.lastUsedAt)}</td><td>${when(token.expiresAt)}</td>`

const HEADINGS = (page: GroupTokensPage): Html => html`<th scope="col">Name</th><th scope="col">${page.kind.kind === "deploy" ? "Username" : "Role"}</th>
<th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th>`

const revokePath = (page: GroupTokensPage, token: TokenView): string => `${settingsPath(page.group.fullPath, page.kind.page)}/${String(token.tokenId)}/revoke`

const createdSection = (page: GroupTokensPage, created: CreatedToken): Html => html`<section class="card" aria-labelledby="new-token-heading">
<h2 id="new-token-heading">Your new ${page.kind.singular}</h2>
${created.username !== null && html`<p>Username: <code id="new-token-username">${created.username}</code></p>`}
<div class="prefix"><code id="new-token">${created.token}</code>
<button type="button" class="button secondary" data-copy="new-token" data-status="token-copy-status" hidden>Copy token</button>
<span id="token-copy-status" role="status"></span></div>
<p class="hint">Make sure you save it; you won't be able to see it again. Use it as the password of <code>docker login</code>${
  page.kind.kind === "deploy" ? " with the username above" : " (any username)"}.</p>
</section>`

const createForm = (page: GroupTokensPage): Html => {
  const { form, kind } = page
  const action = settingsPath(page.group.fullPath, kind.page)
  return html`<section class="card" aria-labelledby="add-token-heading">
<h2 id="add-token-heading">Add a ${kind.singular}</h2>
${form.errors.form !== undefined && html`<div class="notice error" role="alert">${form.errors.form}</div>`}
<form method="post" action="${action}">
${csrfInput(page.viewer.csrf)}
${inputField({ id: "token-name", name: "name", label: "Token name", type: "text", value: form.name, autocomplete: "off", error: form.errors.name })}
${kind.kind === "deploy" && inputField({ id: "token-username", name: "username", label: "Username (optional)", type: "text", value: form.username, autocomplete: "off",
    error: form.errors.username, hint: "Empty: gitlab+deploy-token-<id>." })}
${inputField({ id: "token-expires", name: "expires_at", label: "Expiration date", type: "text", value: form.expiresAt, autocomplete: "off", error: form.errors.expires_at,
    hint: kind.kind === "deploy" ? "YYYY-MM-DD; empty: never expires." : `YYYY-MM-DD, at most ${String(page.maxLifetimeDays)} days from now; empty: that longest lifetime.` })}
${kind.kind === "group_access" && html`<div class="field">${roleSelect("token-role", form.accessLevel, html`Role`)}</div>`}
<fieldset${form.errors.scopes !== undefined && html` aria-describedby="token-scopes-error"`}><legend>Scopes</legend>
${kind.scopes.map(({ scope, help }) => checkboxField({ id: `scope-${scope}`, name: `scope_${scope}`, label: `${scope}: ${help}`, checked: form.scopes.includes(scope) }))}
${form.errors.scopes !== undefined && html`<p class="field-error" id="token-scopes-error">${form.errors.scopes}</p>`}
</fieldset>
<button type="submit" class="button">Create ${kind.singular}</button>
</form>
</section>`
}

/** A group's deploy tokens or group access tokens (Owners): create (shown once), the active ones with revoke, the others. */
export const groupTokensPage = (page: GroupTokensPage): Html => {
  const active = page.tokens.filter((t) => isActive(t, page.now))
  const inactive = page.tokens.filter((t) => !isActive(t, page.now))
  const { kind, group, viewer } = page
  return layout(`${kind.title} · ${group.fullPath}`, viewer, html`${settingsBreadcrumb(group, kind.title, settingsPath(group.fullPath, kind.page))}
<h1>${kind.title} <span class="subtitle">${group.name} (<code>${group.fullPath}</code>)</span></h1>
${page.notice !== null && html`<div class="notice success" role="status">${page.notice}</div>`}
${page.created !== null && createdSection(page, page.created)}
${createForm(page)}
<h2 id="active-heading">Active ${kind.title.toLowerCase()} (${String(active.length)})</h2>
<div class="table-wrap" role="region" aria-labelledby="active-heading" tabindex="0"><table>
<thead><tr>${HEADINGS(page)}<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${active.map((t) => html`<tr>${detailCells(page, t)}
<td><form method="post" action="${revokePath(page, t)}">${csrfInput(viewer.csrf)}<button type="submit" class="button danger">Revoke ${t.name}</button></form></td></tr>`)}</tbody>
</table></div>
<h2 id="inactive-heading">Revoked or expired ${kind.title.toLowerCase()} (${String(inactive.length)})</h2>
<div class="table-wrap" role="region" aria-labelledby="inactive-heading" tabindex="0"><table>
<thead><tr>${HEADINGS(page)}<th scope="col">State</th></tr></thead>
<tbody>${inactive.map((t) => html`<tr>${detailCells(page, t)}<td>${t.revoked ? "Revoked" : "Expired"}</td></tr>`)}</tbody>
</table></div>`)
}

/** Revoking asks first, on a page of its own (works without JavaScript). */
export const revokeGroupTokenPage = (kind: GroupTokenKind, group: GroupView, token: TokenView, viewer: Viewer): Html =>
  layout(`Revoke ${kind.singular}`, viewer, html`<h1>Revoke ${token.name}?</h1>
<p>Anything using this ${kind.singular} (a <code>docker login</code>, a CI job) stops pulling through <code>${group.fullPath}</code> at once. This cannot be undone.</p>
<form method="post" action="${settingsPath(group.fullPath, kind.page)}/${String(token.tokenId)}/revoke/confirm" class="actions">
${csrfInput(viewer.csrf)}
<button type="submit" class="button danger">Revoke ${kind.singular}</button>
<a href="${settingsPath(group.fullPath, kind.page)}">Cancel</a>
</form>`)
