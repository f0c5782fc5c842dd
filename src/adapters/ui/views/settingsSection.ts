import type { GroupView } from "../../../domain/views.js"
import { groupPagePath } from "../groupRoute.js"
import { type Html, html } from "../html.js"
import type { OwnerForms } from "../ownerForms.js"
import { checkboxField, inputField } from "./fields.js"
import { csrfInput } from "./layout.js"

const formError = (message: string | undefined): Html =>
  message === undefined ? html`` : html`<div class="notice error" role="alert">${message}</div>`

const proxyAndCredentials = (group: GroupView, forms: OwnerForms, csrf: string): Html => {
  const form = forms.settings
  const secretSet = group.settings.secret !== null
  const invalid = form.errors.identity !== undefined || form.errors.secret !== undefined || form.errors.enabled !== undefined
  return html`<form method="post" action="${groupPagePath(group.fullPath, "settings")}" novalidate>
${csrfInput(csrf)}
${formError(form.errors.form ?? (invalid ? "The settings were not saved. Correct the marked fields." : undefined))}
${checkboxField({ id: "enabled", name: "enabled", label: "Enable Proxy", checked: form.enabled, error: form.errors.enabled,
  hint: "When off, pulls through this group's prefix are refused; cached images are kept." })}
<fieldset>
<legend>Docker Hub authentication</legend>
<p class="hint fieldset-hint">Fill in both fields, or leave both empty to pull from Docker Hub without credentials.</p>
${inputField({ id: "identity", name: "identity", label: "Identity", type: "text", value: form.identity, autocomplete: "off",
  error: form.errors.identity, hint: "A Docker Hub username, or the organization name for an organization access token." })}
${inputField({ id: "secret", name: "secret", label: "Secret", type: "password", value: "", autocomplete: "new-password",
  error: form.errors.secret,
  hint: secretSet
    ? html`Secret: <strong>set</strong>. Leave empty to keep it; it is never shown.`
    : html`Secret: <strong>not set</strong>. A password, personal access token or organization access token.` })}
</fieldset>
<button type="submit" class="button">Save changes</button>
</form>
${group.settings.identity !== null && html`<form method="post" action="${groupPagePath(group.fullPath, "credentials/clear")}" class="card">
${csrfInput(csrf)}
<p>Stop sending Docker Hub credentials: the identity and the secret are both removed.</p>
<button type="submit" class="button secondary">Clear credentials</button>
</form>`}`
}

const ttlPolicy = (group: GroupView, forms: OwnerForms, csrf: string): Html => html`<h3 id="ttl-heading">Image TTL policy</h3>
<form method="post" action="${groupPagePath(group.fullPath, "ttl_policy")}" novalidate aria-labelledby="ttl-heading">
${csrfInput(csrf)}
${formError(forms.ttl.errors.form)}
${checkboxField({ id: "ttl_enabled", name: "ttl_enabled", label: "Clear unused images automatically", checked: forms.ttl.enabled })}
${inputField({ id: "ttl", name: "ttl", label: "Days an image may go unread", type: "number", value: forms.ttl.ttlDays, autocomplete: "off",
  error: forms.ttl.errors.ttl, extra: html` min="1" max="36500" step="1" inputmode="numeric"`,
  hint: "The cleanup job removes cached images and blobs not read for this many days." })}
<button type="submit" class="button">Save TTL policy</button>
</form>`

const purge = (group: GroupView, csrf: string): Html => html`<h3 id="purge-heading">Purge cache</h3>
<form method="post" action="${groupPagePath(group.fullPath, "purge")}" aria-labelledby="purge-heading">
${csrfInput(csrf)}
<p>Removes every cached image and blob of this group. The next pulls fetch them from Docker Hub again. You are asked to confirm first.</p>
<button type="submit" class="button danger">Purge cache…</button>
</form>`

/** Only rendered for Owners; the routes refuse the same posts from anyone else regardless. */
export const settingsSection = (group: GroupView, forms: OwnerForms, csrf: string): Html => html`<section id="settings" aria-labelledby="settings-heading">
<h2 id="settings-heading">Settings</h2>
${proxyAndCredentials(group, forms, csrf)}
${ttlPolicy(group, forms, csrf)}
${purge(group, csrf)}
</section>`
