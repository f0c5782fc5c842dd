import type { InstanceCacheTotals } from "../../../application/cache/instanceCache.js"
import { humanSize } from "../../../application/cache/groupCache.js"
import { type Html, html } from "../html.js"
import { adminNav, ADMIN_SETTINGS_PATH, ADMIN_USERS_PATH } from "./adminNav.js"
import { layout, type Viewer } from "./layout.js"

export interface AdminOverview {
  readonly totals: InstanceCacheTotals
  readonly users: number
  readonly blockedUsers: number
  /** Both switches: the operator's `DEPENDENCY_PROXY_ENABLED` and the administrators' setting. */
  readonly proxyServing: boolean
}

const stat = (id: string, label: string, value: string): Html => html`<div><dt>${label}</dt><dd id="${id}">${value}</dd></div>`

/** The admin area's first page: the instance's cache totals and users at a glance. */
export const adminOverviewPage = (viewer: Viewer, overview: AdminOverview): Html => {
  const { totals } = overview
  return layout("Admin area", viewer, html`${adminNav("overview")}
<h1>Admin area</h1>
${!overview.proxyServing && html`<div class="notice warning" role="status"><p>The Dependency Proxy is disabled for this instance: every pull is refused. <a href="${ADMIN_SETTINGS_PATH}">Settings</a></p></div>`}
<section class="card" aria-labelledby="cache-heading">
<h2 id="cache-heading">Dependency Proxy cache</h2>
<dl class="stats">
${stat("total-manifests", "Manifests", String(totals.manifests))}
${stat("total-blobs", "Blobs", String(totals.blobs))}
${stat("total-size", "Size", humanSize(totals.bytes))}
${stat("total-groups", "Groups", String(totals.groups))}
</dl>
<p class="hint">Every group's cache added up, as each group's page counts it. Groups share files with the same digest: the blob store holds <span id="distinct-blobs">${String(totals.distinctBlobs)}</span> distinct blobs, ${humanSize(totals.distinctBlobBytes)}.</p>
</section>
<section class="card" aria-labelledby="users-heading">
<h2 id="users-heading">Users</h2>
<p><span id="user-count">${String(overview.users)}</span> users, ${String(overview.blockedUsers)} blocked. <a href="${ADMIN_USERS_PATH}">Manage users</a></p>
</section>`)
}
