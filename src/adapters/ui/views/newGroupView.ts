import type { GroupView } from "../../../domain/views.js"
import { type Html, html } from "../html.js"
import { inputField } from "./fields.js"
import { csrfInput, layout, type Viewer } from "./layout.js"

export interface NewGroupForm {
  readonly name: string
  readonly path: string
  readonly errors: { readonly name?: string; readonly path?: string; readonly form?: string }
}

export const emptyGroupForm: NewGroupForm = { name: "", path: "", errors: {} }

/** `/groups/new[?parent=<full path>]`: a top-level group, or a subgroup of `parent`. */
export const newGroupPage = (viewer: Viewer, parent: GroupView | null, form: NewGroupForm): Html => {
  const title = parent === null ? "New group" : "New subgroup"
  return layout(title, viewer, html`<nav class="breadcrumb" aria-label="Breadcrumb"><ol>
<li><a href="/groups">Groups</a></li>
${parent !== null && html`<li>${parent.fullPath}</li>`}
<li><a href="/groups/new${parent === null ? "" : `?parent=${encodeURIComponent(parent.fullPath)}`}" aria-current="page">${title}</a></li>
</ol></nav>
<h1>${title}${parent !== null && html` <span class="subtitle">in <code>${parent.fullPath}</code></span>`}</h1>
${form.errors.form !== undefined && html`<div class="notice error" role="alert">${form.errors.form}</div>`}
<form method="post" action="/groups/new" class="stack" novalidate>
${csrfInput(viewer.csrf)}
${parent !== null && html`<input type="hidden" name="parent_path" value="${parent.fullPath}">`}
${inputField({ id: "group-name", name: "name", label: "Group name", type: "text", value: form.name, autocomplete: "off", error: form.errors.name })}
${inputField({
    id: "group-path",
    name: "path",
    label: "Group URL path",
    type: "text",
    value: form.path,
    autocomplete: "off",
    error: form.errors.path,
    hint: html`Letters, digits, <code>_</code>, <code>-</code> and <code>.</code>; the image prefix becomes <code>…/${parent === null ? "" : `${parent.fullPath}/`}&lt;path&gt;/dependency_proxy/containers</code>.`
  })}
<div class="actions">
<button type="submit" class="button">Create group</button>
<a href="${parent === null ? "/groups" : `/groups/${parent.fullPath}/-/dependency_proxy`}">Cancel</a>
</div>
</form>`)
}
