import type { GroupView } from "../../../domain/views.js"
import { settingsPath } from "../groupSettingsRoute.js"
import { type Html, html } from "../html.js"
import { checkboxField, inputField } from "./fields.js"
import { csrfInput, layout, type Viewer } from "./layout.js"
import { settingsBreadcrumb } from "./settingsBreadcrumb.js"

/** The general form: the group's name, path and description as typed, and what was wrong with them. */
export interface GeneralForm {
  readonly name: string
  readonly path: string
  readonly description: string
  readonly errors: { readonly name?: string; readonly path?: string; readonly description?: string; readonly form?: string }
}

export const generalFormOf = (group: GroupView): GeneralForm => ({ name: group.name, path: group.path, description: group.description ?? "", errors: {} })

export interface GroupSettingsPage {
  readonly group: GroupView
  readonly general: GeneralForm
  /** The group's top-level group, which holds the SSO setting for its whole tree (SPEC §4). */
  readonly topLevel: GroupView
  readonly notice: string | null
  readonly viewer: Viewer
}

const enforcement = (enforced: boolean): string => (enforced ? "enforced" : "not enforced")

const ssoSection = (page: GroupSettingsPage): Html => {
  const { group, topLevel, viewer } = page
  const body = group.groupId === topLevel.groupId
    ? html`<form method="post" action="${settingsPath(group.fullPath, "sso")}">
${csrfInput(viewer.csrf)}
${checkboxField({ id: "sso-enforced", name: "sso_enforced", label: "Enforce SSO-only authentication for this group", checked: group.settings.ssoEnforced,
      hint: "Members (and members of its subgroups) then pull only with an active SSO session for this group; deploy tokens and group access tokens are exempt." })}
<button type="submit" class="button">Save SSO setting</button>
</form>`
    : html`<p id="sso-inherited">SSO enforcement is set on the top-level group <a href="${settingsPath(topLevel.fullPath)}"><code>${topLevel.fullPath}</code></a>,
where it is ${enforcement(topLevel.settings.ssoEnforced)}.</p>`
  return html`<section class="card" aria-labelledby="sso-heading">
<h2 id="sso-heading">SAML single sign-on</h2>
<p>Currently <strong id="sso-state">${enforcement(topLevel.settings.ssoEnforced)}</strong>.</p>
${body}
</section>`
}

const generalSection = (page: GroupSettingsPage): Html => {
  const { group, general, viewer } = page
  const parentPrefix = group.fullPath.slice(0, group.fullPath.length - group.path.length)
  return html`<section class="card" aria-labelledby="general-heading">
<h2 id="general-heading">Naming and path</h2>
${general.errors.form !== undefined && html`<div class="notice error" role="alert">${general.errors.form}</div>`}
<form method="post" action="${settingsPath(group.fullPath, "general")}" class="stack" novalidate>
${csrfInput(viewer.csrf)}
<input type="hidden" name="group_id" value="${String(group.groupId)}">
${inputField({ id: "group-name", name: "name", label: "Group name", type: "text", value: general.name, autocomplete: "off", error: general.errors.name })}
${inputField({
    id: "group-path",
    name: "path",
    label: "Group URL path",
    type: "text",
    value: general.path,
    autocomplete: "off",
    error: general.errors.path,
    hint: html`The image prefix becomes <code>…/${parentPrefix}&lt;path&gt;/dependency_proxy/containers</code>, for this group and its subgroups: pulls through the old path stop working.`
  })}
<div class="field">
<label for="group-description">Group description (optional)</label>
<textarea id="group-description" name="description" rows="3" maxlength="500"${general.errors.description !== undefined && html` aria-invalid="true" aria-describedby="group-description-error"`}>
${general.description}</textarea>
${general.errors.description !== undefined && html`<p class="field-error" id="group-description-error">${general.errors.description}</p>`}
</div>
<button type="submit" class="button">Save changes</button>
</form>
</section>`
}

const deleteSection = (page: GroupSettingsPage): Html => html`<section class="card" aria-labelledby="delete-heading">
<h2 id="delete-heading">Delete group</h2>
<p>Deletes <code>${page.group.fullPath}</code>, its subgroups, their members, tokens and settings, and the images they cached. It cannot be undone.</p>
<form method="post" action="${settingsPath(page.group.fullPath, "delete")}">
${csrfInput(page.viewer.csrf)}
<button type="submit" class="button danger">Delete group</button>
</form>
</section>`

/** `/groups/<path>/-/settings` (Owners): name, path and description, SSO enforcement, the group's tokens, deletion. */
export const groupSettingsPage = (page: GroupSettingsPage): Html => {
  const { group } = page
  return layout(`Settings · ${group.fullPath}`, page.viewer, html`${settingsBreadcrumb(group, null, null)}
<h1>Group settings <span class="subtitle">${group.name} (<code>${group.fullPath}</code>)</span></h1>
${page.notice !== null && html`<div class="notice success" role="status">${page.notice}</div>`}
${generalSection(page)}
${ssoSection(page)}
<section class="card" aria-labelledby="tokens-heading">
<h2 id="tokens-heading">Tokens</h2>
<ul>
<li><a href="${settingsPath(group.fullPath, "deploy_tokens")}">Deploy tokens</a>: pull through this group's Dependency Proxy without a user.</li>
<li><a href="${settingsPath(group.fullPath, "access_tokens")}">Group access tokens</a>: a bot member of this group with the token's role.</li>
</ul>
</section>
${deleteSection(page)}`)
}
