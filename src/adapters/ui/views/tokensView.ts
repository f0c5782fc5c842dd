import type { TokenView } from "../../../domain/views.js"
import { type Html, html } from "../html.js"
import { checkboxField, inputField } from "./fields.js"
import { timeTag } from "./format.js"
import { csrfInput, layout, type Viewer } from "./layout.js"

export const TOKENS_PATH = "/-/user_settings/personal_access_tokens"

/** The scopes offered here: what a person needs for the registry and the API (others via the API). */
export const OFFERED_SCOPES: ReadonlyArray<{ readonly scope: string; readonly help: string }> = [
  { scope: "read_registry", help: "pull images through the Dependency Proxy (docker login)" },
  { scope: "read_api", help: "read the API" },
  { scope: "api", help: "complete API and registry access" }
]

export interface TokenForm {
  readonly name: string
  readonly scopes: ReadonlyArray<string>
  readonly expiresAt: string
  readonly errors: { readonly name?: string; readonly scopes?: string; readonly expires_at?: string; readonly form?: string }
}

export const emptyTokenForm: TokenForm = { name: "", scopes: ["read_registry"], expiresAt: "", errors: {} }

const when = (date: Date | null, none: string): Html | string => (date === null ? none : timeTag(date))

const activeRow = (token: TokenView, csrf: string): Html => html`<tr>
<td>${token.name}</td><td>${token.scopes.join(", ")}</td><td>${timeTag(token.createdAt)}</td>
<td>${when(token.lastUsedAt, "Never")}</td><td>${when(token.expiresAt, "Never")}</td>
<td><form method="post" action="${TOKENS_PATH}/${String(token.tokenId)}/revoke">${csrfInput(csrf)}
<button type="submit" class="button danger">Revoke ${token.name}</button></form></td>
</tr>`

/** Personal access tokens: create (the token shown once), the active ones with revoke, the revoked ones. */
export const tokensPage = (viewer: Viewer, tokens: ReadonlyArray<TokenView>, form: TokenForm, created: string | null, notice: string | null): Html => {
  const active = tokens.filter((t) => !t.revoked)
  const revoked = tokens.filter((t) => t.revoked)
  return layout("Personal access tokens", viewer, html`<h1>Personal access tokens</h1>
${notice !== null && html`<div class="notice success" role="status">${notice}</div>`}
${created !== null && html`<section class="card" aria-labelledby="new-token-heading">
<h2 id="new-token-heading">Your new personal access token</h2>
<div class="prefix"><code id="new-token">${created}</code>
<button type="button" class="button secondary" data-copy="new-token" data-status="token-copy-status" hidden>Copy token</button>
<span id="token-copy-status" role="status"></span></div>
<p class="hint">Make sure you save it; you won't be able to see it again. Use it as the password of <code>docker login</code>.</p>
</section>`}
<section class="card" aria-labelledby="add-token-heading">
<h2 id="add-token-heading">Add a personal access token</h2>
${form.errors.form !== undefined && html`<div class="notice error" role="alert">${form.errors.form}</div>`}
<form method="post" action="${TOKENS_PATH}">
${csrfInput(viewer.csrf)}
${inputField({ id: "token-name", name: "name", label: "Token name", type: "text", value: form.name, autocomplete: "off", error: form.errors.name })}
${inputField({ id: "token-expires", name: "expires_at", label: "Expiration date", type: "text", value: form.expiresAt, autocomplete: "off", error: form.errors.expires_at,
    hint: "YYYY-MM-DD; empty: the longest lifetime the instance allows." })}
<fieldset${form.errors.scopes !== undefined && html` aria-describedby="token-scopes-error"`}><legend>Scopes</legend>
${OFFERED_SCOPES.map(({ scope, help }) => checkboxField({ id: `scope-${scope}`, name: `scope_${scope}`, label: `${scope}: ${help}`, checked: form.scopes.includes(scope) }))}
${form.errors.scopes !== undefined && html`<p class="field-error" id="token-scopes-error">${form.errors.scopes}</p>`}
</fieldset>
<button type="submit" class="button">Create personal access token</button>
</form>
</section>
<h2 id="active-heading">Active personal access tokens (${String(active.length)})</h2>
<div class="table-wrap" role="region" aria-labelledby="active-heading" tabindex="0"><table>
<thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${active.map((t) => activeRow(t, viewer.csrf))}</tbody></table></div>
<h2 id="revoked-heading">Revoked personal access tokens (${String(revoked.length)})</h2>
<div class="table-wrap" role="region" aria-labelledby="revoked-heading" tabindex="0"><table>
<thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th></tr></thead>
<tbody>${revoked.map((t) => html`<tr><td>${t.name}</td><td>${t.scopes.join(", ")}</td><td>${timeTag(t.createdAt)}</td><td>${when(t.lastUsedAt, "Never")}</td></tr>`)}</tbody></table></div>`)
}

/** Revoking asks first, on a page of its own. */
export const revokeConfirmPage = (viewer: Viewer, token: TokenView): Html =>
  layout("Revoke token", viewer, html`<h1>Revoke ${token.name}?</h1>
<p>Anything using this token (a <code>docker login</code>, a script) stops working at once. This cannot be undone.</p>
<form method="post" action="${TOKENS_PATH}/${String(token.tokenId)}/revoke/confirm" class="actions">
${csrfInput(viewer.csrf)}
<button type="submit" class="button danger">Revoke token</button>
<a href="${TOKENS_PATH}">Cancel</a>
</form>`)
