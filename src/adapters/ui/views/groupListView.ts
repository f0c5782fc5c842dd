import type { GroupView } from "../../../domain/views.js"
import { groupPagePath } from "../groupRoute.js"
import { type Html, html } from "../html.js"
import { proxyStatusBadge } from "./statusBadge.js"
import { layout, type Viewer } from "./layout.js"

export interface GroupRow {
  readonly group: GroupView
  readonly role: string
}

/** The groups the viewer can see, each linking to its dependency proxy page. */
export const groupListPage = (viewer: Viewer, rows: ReadonlyArray<GroupRow>, instanceEnabled: boolean): Html =>
  layout("Groups", viewer, html`<h1>Groups</h1>
${rows.length === 0
    ? html`<p>You are not a member of any group yet. Ask a group's Owner to add you.</p>`
    : html`<div class="table-wrap" role="region" aria-label="Your groups" tabindex="0">
<table>
<thead><tr><th scope="col">Group</th><th scope="col">Path</th><th scope="col">Your role</th><th scope="col">Dependency Proxy</th></tr></thead>
<tbody>
${rows.map((row) => html`<tr>
<td><a href="${groupPagePath(row.group.fullPath)}">${row.group.name}</a></td>
<td><code>${row.group.fullPath}</code></td>
<td>${row.role}</td>
<td>${proxyStatusBadge(row.group.settings.enabled, instanceEnabled)}</td>
</tr>`)}
</tbody>
</table>
</div>`}`)
