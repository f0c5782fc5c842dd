import { humanSize } from "../../../application/cache/groupCache.js"
import type { GroupPageData } from "../groupPageData.js"
import { groupPagePath } from "../groupRoute.js"
import { type Html, html } from "../html.js"
import { csrfInput, layout, type Viewer } from "./layout.js"

/** The confirmation step of a purge, a page of its own so that it works without JavaScript. */
export const purgeConfirmPage = (data: GroupPageData, viewer: Viewer): Html => {
  const { group, cache } = data
  return layout("Purge cache", viewer, html`<h1>Purge the cache of ${group.fullPath}?</h1>
<p>This removes ${cache.images.length} cached ${cache.images.length === 1 ? "image" : "images"} and ${cache.blobs.length} ${
    cache.blobs.length === 1 ? "blob" : "blobs"
  } (${humanSize(cache.totalSizeBytes)}). The next pulls fetch them from Docker Hub again, which counts against its rate limit.</p>
<form method="post" action="${groupPagePath(group.fullPath, "purge/confirm")}" class="actions">
${csrfInput(viewer.csrf)}
<button type="submit" class="button danger">Purge cache</button>
<a href="${groupPagePath(group.fullPath)}#settings">Cancel</a>
</form>`)
}
