import { humanSize } from "../../../application/cache/groupCache.js"
import type { CachedManifestView } from "../../../domain/views.js"
import { type Html, html } from "../html.js"
import type { Page } from "../pagination.js"
import { digestTag, timeTag } from "./format.js"

const pageLink = (basePath: string, page: number) => `${basePath}?page=${page}#images`

const pagination = (basePath: string, page: Page<unknown>): Html =>
  page.pages <= 1
    ? html``
    : html`<nav class="pagination" aria-label="Cached images pages">
${page.page > 1 && html`<a rel="prev" href="${pageLink(basePath, page.page - 1)}">Previous page</a>`}
<span>Page ${page.page} of ${page.pages}</span>
${page.page < page.pages && html`<a rel="next" href="${pageLink(basePath, page.page + 1)}">Next page</a>`}
</nav>`

/** The cached images (tagged manifests), newest first, 20 a page. */
export const imagesSection = (basePath: string, page: Page<CachedManifestView>, total: number): Html => html`<section aria-labelledby="images-heading">
<h2 id="images-heading">Cached images</h2>
${total === 0
    ? html`<p>No images are cached yet. The first pull of an image through the proxy caches it.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="images-heading" tabindex="0">
<table id="images">
<caption>${total} cached ${total === 1 ? "image" : "images"}, newest first. Size is the manifest's; layers count towards the total size.</caption>
<thead><tr><th scope="col">Image</th><th scope="col">Tag</th><th scope="col">Digest</th><th scope="col">Media type</th><th scope="col">Size</th><th scope="col">Last read</th></tr></thead>
<tbody>
${page.items.map((m) => html`<tr>
<td>${m.image}</td>
<td>${m.tag ?? ""}</td>
<td>${digestTag(m.digest)}</td>
<td><code>${m.mediaType}</code></td>
<td>${humanSize(m.size)}</td>
<td>${timeTag(m.lastReadAt)}</td>
</tr>`)}
</tbody>
</table>
</div>
${pagination(basePath, page)}`}
</section>`
