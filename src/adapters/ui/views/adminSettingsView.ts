import { MAX_TOKEN_LIFETIME_DAYS } from "../../../domain/instance/InstanceSettings.js"
import { type Html, html } from "../html.js"
import { adminNav, ADMIN_SETTINGS_PATH } from "./adminNav.js"
import { checkboxField, inputField } from "./fields.js"
import { csrfInput, layout, type Viewer } from "./layout.js"

export interface InstanceSettingsForm {
  readonly dependencyProxyEnabled: boolean
  readonly usersMayCreateGroups: boolean
  /** As typed, so a refused value is shown back. */
  readonly maxTokenLifetimeDays: string
  readonly errors: { readonly maxTokenLifetimeDays?: string; readonly form?: string }
}

/** The instance's settings, and whether the operator's `DEPENDENCY_PROXY_ENABLED` lets the switch matter. */
export const adminSettingsPage = (viewer: Viewer, form: InstanceSettingsForm, operatorEnabled: boolean, notice: string | null): Html =>
  layout("Settings · Admin area", viewer, html`${adminNav("settings")}
<h1>Instance settings</h1>
${notice !== null && html`<div class="notice success" role="status">${notice}</div>`}
${form.errors.form !== undefined && html`<div class="notice error" role="alert">${form.errors.form}</div>`}
${!operatorEnabled && html`<div class="notice warning" role="status"><p>The operator turned the Dependency Proxy off (<code>DEPENDENCY_PROXY_ENABLED=false</code>): pulls are refused whatever is set here.</p></div>`}
<form method="post" action="${ADMIN_SETTINGS_PATH}" class="card">
${csrfInput(viewer.csrf)}
<fieldset><legend>Dependency Proxy</legend>
${checkboxField({ id: "setting-proxy", name: "dependency_proxy_enabled", label: "Enable the Dependency Proxy for this instance", checked: form.dependencyProxyEnabled,
    hint: "Off: every pull is refused and every group shows \"Disabled for this instance\"; caches and group settings are kept." })}
</fieldset>
<fieldset><legend>Groups</legend>
${checkboxField({ id: "setting-groups", name: "can_create_group", label: "Users who are not administrators may create top-level groups", checked: form.usersMayCreateGroups,
    hint: "Subgroups are always up to the parent group's Owners." })}
</fieldset>
<fieldset><legend>Access tokens</legend>
${inputField({ id: "setting-token-lifetime", name: "max_personal_access_token_lifetime", label: "Longest token lifetime (days)", type: "number",
    value: form.maxTokenLifetimeDays, autocomplete: "off", error: form.errors.maxTokenLifetimeDays,
    hint: `1 to ${String(MAX_TOKEN_LIFETIME_DAYS)}. New personal and group access tokens expire within it; tokens already made keep their date.`,
    extra: html` min="1" max="${String(MAX_TOKEN_LIFETIME_DAYS)}" required` })}
</fieldset>
<button type="submit" class="button">Save changes</button>
</form>`)
