import type { GroupView } from "../../../domain/views.js"
import { settingsPath } from "../groupSettingsRoute.js"
import { type Html, html } from "../html.js"
import { checkboxField } from "./fields.js"
import { csrfInput, layout, type Viewer } from "./layout.js"
import { settingsBreadcrumb } from "./settingsBreadcrumb.js"

export interface GroupSettingsPage {
  readonly group: GroupView
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

/** `/groups/<path>/-/settings` (Owners): SSO enforcement and the way to the group's tokens. */
export const groupSettingsPage = (page: GroupSettingsPage): Html => {
  const { group } = page
  return layout(`Settings · ${group.fullPath}`, page.viewer, html`${settingsBreadcrumb(group, null, null)}
<h1>Group settings <span class="subtitle">${group.name} (<code>${group.fullPath}</code>)</span></h1>
${page.notice !== null && html`<div class="notice success" role="status">${page.notice}</div>`}
${ssoSection(page)}
<section class="card" aria-labelledby="tokens-heading">
<h2 id="tokens-heading">Tokens</h2>
<ul>
<li><a href="${settingsPath(group.fullPath, "deploy_tokens")}">Deploy tokens</a>: pull through this group's Dependency Proxy without a user.</li>
<li><a href="${settingsPath(group.fullPath, "access_tokens")}">Group access tokens</a>: a bot member of this group with the token's role.</li>
</ul>
</section>`)
}
