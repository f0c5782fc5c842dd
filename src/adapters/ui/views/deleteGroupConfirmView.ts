import type { GroupView } from "../../../domain/views.js"
import { settingsPath } from "../groupSettingsRoute.js"
import { type Html, html } from "../html.js"
import { inputField } from "./fields.js"
import { csrfInput, layout, type Viewer } from "./layout.js"

/**
 * The confirmation step of a deletion, a page of its own so that it works without JavaScript. The group's full
 * path must be typed (as GitLab asks) against a slip, and the form names the group by id too: a tab left open
 * while the group was renamed and another took its path deletes neither.
 */
export const deleteGroupConfirmPage = (group: GroupView, subgroups: number, viewer: Viewer, error: string | null): Html =>
  layout("Delete group", viewer, html`<h1>Delete ${group.fullPath}?</h1>
<p>This deletes the group${subgroups > 0 && html` and its ${subgroups} ${subgroups === 1 ? "subgroup" : "subgroups"}`}, with their members, tokens and
settings; their cached images are purged after. Pulls through <code>${group.fullPath}</code> stop at once. It cannot be undone.</p>
<form method="post" action="${settingsPath(group.fullPath, "delete/confirm")}" class="stack" novalidate>
${csrfInput(viewer.csrf)}
<input type="hidden" name="group_id" value="${String(group.groupId)}">
${inputField({
    id: "confirm-path",
    name: "confirm_path",
    label: "Type the group's full path to confirm",
    type: "text",
    value: "",
    autocomplete: "off",
    hint: html`<code>${group.fullPath}</code>`,
    error: error ?? undefined
  })}
<div class="actions">
<button type="submit" class="button danger">Delete group</button>
<a href="${settingsPath(group.fullPath)}">Cancel</a>
</div>
</form>`)
