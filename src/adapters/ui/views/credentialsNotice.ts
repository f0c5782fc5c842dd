import type { GroupView } from "../../../domain/views.js"
import { type Html, html } from "../html.js"
import { timeTag } from "./format.js"

/**
 * While the upstream rejects the group's Docker Hub credentials (issue 15), every member sees why uncached
 * pulls fail, and Owners what to do; it goes once the credentials change or a pull with them succeeds.
 */
export const credentialsNotice = (group: GroupView, isOwner: boolean): Html | false => {
  const rejected = group.settings.credentialsRejected
  return rejected !== null && html`<div class="notice warning" role="alert" id="credentials-notice">
<p>The upstream registry rejected this group's Docker Hub credentials (HTTP ${String(rejected.status)}), last at ${timeTag(rejected.at)}.
Images already cached are served from the cache; images not cached yet cannot be pulled.
${isOwner ? "Correct the identity and secret in the settings below." : "Ask an Owner of the group to correct them."}</p>
</div>`
}
