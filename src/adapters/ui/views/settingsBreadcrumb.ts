import type { GroupView } from "../../../domain/views.js"
import { groupPagePath } from "../groupRoute.js"
import { settingsPath } from "../groupSettingsRoute.js"
import { type Html, html } from "../html.js"

/** Groups › the group › Settings[ › this page]: the trail every group settings page starts with. */
export const settingsBreadcrumb = (group: GroupView, title: string | null, path: string | null): Html => html`<nav class="breadcrumb" aria-label="Breadcrumb"><ol>
<li><a href="/groups">Groups</a></li>
<li><a href="${groupPagePath(group.fullPath)}">${group.fullPath}</a></li>
<li><a href="${settingsPath(group.fullPath)}"${title === null && html` aria-current="page"`}>Settings</a></li>
${title !== null && path !== null && html`<li><a href="${path}" aria-current="page">${title}</a></li>`}
</ol></nav>`
