import { humanSize } from "../../../application/cache/groupCache.js"
import type { CachedManifestView } from "../../../domain/views.js"
import type { GroupPageData } from "../groupPageData.js"
import { groupPagePath } from "../groupRoute.js"
import { settingsPath } from "../groupSettingsRoute.js"
import { type Html, html } from "../html.js"
import type { OwnerForms } from "../ownerForms.js"
import type { Page } from "../pagination.js"
import { historySection } from "./historySection.js"
import { imagesSection } from "./imagesSection.js"
import { layout, type Viewer } from "./layout.js"
import { proxyStatusBadge } from "./statusBadge.js"
import { settingsSection } from "./settingsSection.js"
import { credentialsNotice } from "./credentialsNotice.js"
import { upstreamNotice } from "./upstreamNotice.js"

export interface GroupPage {
  readonly data: GroupPageData
  readonly roleName: string
  readonly prefix: string
  readonly images: Page<CachedManifestView>
  readonly notice: string | null
  readonly forms: OwnerForms
  readonly viewer: Viewer
  readonly instanceEnabled: boolean
}

const overview = (page: GroupPage): Html => {
  const { group, cache } = page.data
  return html`<section aria-labelledby="overview-heading">
<h2 id="overview-heading" class="visually-hidden">Overview</h2>
<dl class="summary">
<dt>Status</dt>
<dd id="proxy-status">${proxyStatusBadge(group.settings.enabled, page.instanceEnabled)}</dd>
<dt>Your role</dt>
<dd>${page.roleName}</dd>
<dt id="prefix-label">Image prefix</dt>
<dd><div class="prefix"><code id="image-prefix">${page.prefix}</code>
<button type="button" class="button secondary" data-copy="image-prefix" data-status="copy-status" hidden>Copy image prefix</button>
<span id="copy-status" role="status"></span></div></dd>
</dl>
<p>Pull an image through the proxy, for example:</p>
<pre><code id="pull-example">docker pull ${page.prefix}/alpine:latest</code></pre>
<dl class="stats">
<div><dt>Images</dt><dd id="image-count">${cache.images.length}</dd></div>
<div><dt>Blobs</dt><dd id="blob-count">${cache.blobs.length}</dd></div>
<div><dt>Total size</dt><dd id="total-size">${humanSize(cache.totalSizeBytes)}</dd></div>
</dl>
</section>`
}

/** `/groups/<path>/-/dependency_proxy`: what every member sees, then, for Owners, the settings and their history. */
export const groupPage = (page: GroupPage): Html => {
  const { group, cache, history, isOwner } = page.data
  return layout(`Dependency Proxy · ${group.fullPath}`, page.viewer, html`<nav class="breadcrumb" aria-label="Breadcrumb"><ol>
<li><a href="/groups">Groups</a></li>
<li>${group.fullPath}</li>
<li><a href="${groupPagePath(group.fullPath)}" aria-current="page">Dependency Proxy</a></li>
</ol></nav>
<h1>Dependency Proxy <span class="subtitle">${group.name} (<code>${group.fullPath}</code>)</span></h1>
<p class="actions"><a class="button secondary" href="/groups/${group.fullPath}/-/group_members">Members</a>
${isOwner && html`<a class="button secondary" href="/groups/new?parent=${encodeURIComponent(group.fullPath)}">New subgroup</a>
<a class="button secondary" href="${settingsPath(group.fullPath)}">Settings</a>`}</p>
${page.notice !== null && html`<div class="notice success" role="status">${page.notice}</div>`}
${credentialsNotice(group, isOwner)}
${upstreamNotice(page.data.upstream)}
${overview(page)}
${imagesSection(groupPagePath(group.fullPath), page.images, cache.images.length)}
${isOwner && settingsSection(group, page.forms, page.viewer.csrf)}
${history !== null && historySection(history)}`)
}
