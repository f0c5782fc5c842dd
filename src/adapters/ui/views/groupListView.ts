import type { GroupView } from "../../../domain/views.js"
import { groupPagePath } from "../groupRoute.js"
import { type Html, html } from "../html.js"
import { layout, type Viewer } from "./layout.js"
import { proxyStatusBadge } from "./statusBadge.js"

export interface GroupRow {
  readonly group: GroupView
  readonly role: string
}

interface Node {
  readonly row: GroupRow
  readonly children: ReadonlyArray<Node>
}

/** The visible groups as a tree: a group whose parent the viewer cannot see starts a tree of its own. */
const treeOf = (rows: ReadonlyArray<GroupRow>): ReadonlyArray<Node> => {
  const visible = new Set(rows.map((r) => r.group.groupId))
  const sorted = [...rows].sort((a, b) => a.group.fullPath.localeCompare(b.group.fullPath))
  const childrenOf = (parentId: number | null): ReadonlyArray<Node> =>
    sorted
      .filter((r) => (parentId === null ? r.group.parentId === null || !visible.has(r.group.parentId) : r.group.parentId === parentId))
      .map((row) => ({ row, children: childrenOf(row.group.groupId) }))
  return childrenOf(null)
}

const branch = (nodes: ReadonlyArray<Node>, instanceEnabled: boolean): Html => html`<ul class="group-tree">
${nodes.map(({ row, children }) => html`<li>
<div class="group-row"><a href="${groupPagePath(row.group.fullPath)}">${row.group.name}</a>
<code>${row.group.fullPath}</code>
<span>${row.role}</span>
${proxyStatusBadge(row.group.settings.enabled, instanceEnabled)}</div>
${children.length > 0 && branch(children, instanceEnabled)}
</li>`)}
</ul>`

/** The groups the viewer can see, as a tree, each linking to its dependency proxy page; "New group" when allowed. */
export const groupListPage = (viewer: Viewer, rows: ReadonlyArray<GroupRow>, instanceEnabled: boolean, mayCreateGroup = false, notice: string | null = null): Html =>
  layout("Groups", viewer, html`<h1>Groups</h1>
${notice !== null && html`<div class="notice success" role="status">${notice}</div>`}
${mayCreateGroup && html`<p class="actions"><a class="button" href="/groups/new">New group</a></p>`}
${rows.length === 0
    ? html`<p>You are not a member of any group yet. ${mayCreateGroup ? "Create one, or ask" : "Ask"} a group's Owner to add you.</p>`
    : html`<nav aria-label="Your groups">${branch(treeOf(rows), instanceEnabled)}</nav>`}`)
