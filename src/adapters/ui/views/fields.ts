import { type Html, type HtmlPart, html } from "../html.js"

interface FieldBase {
  readonly id: string
  readonly name: string
  readonly label: string
  readonly hint?: HtmlPart
  /** Shown under the field and announced with it (`aria-describedby`); marks the input invalid. */
  readonly error?: string | undefined
}

const describedBy = (field: FieldBase): string | null => {
  const ids = [field.hint === undefined ? null : `${field.id}-hint`, field.error === undefined ? null : `${field.id}-error`]
    .filter((id) => id !== null)
  return ids.length === 0 ? null : ids.join(" ")
}

const aria = (field: FieldBase): Html => {
  const ids = describedBy(field)
  return html`${ids !== null && html` aria-describedby="${ids}"`}${field.error !== undefined && html` aria-invalid="true"`}`
}

const notes = (field: FieldBase): Html => html`${field.hint !== undefined && html`<p class="hint" id="${field.id}-hint">${field.hint}</p>`}${
  field.error !== undefined && html`<p class="field-error" id="${field.id}-error">${field.error}</p>`
}`

export const inputField = (field: FieldBase & {
  readonly type: "text" | "password" | "number"
  readonly value: string
  readonly autocomplete: string
  readonly extra?: Html
}): Html => html`<div class="field">
<label for="${field.id}">${field.label}</label>
<input id="${field.id}" name="${field.name}" type="${field.type}" value="${field.value}" autocomplete="${field.autocomplete}"${aria(field)}${field.extra}>
${notes(field)}
</div>`

export const checkboxField = (field: FieldBase & { readonly checked: boolean }): Html => html`<div class="field check">
<input id="${field.id}" name="${field.name}" type="checkbox" value="1"${field.checked && html` checked`}${aria(field)}><label for="${field.id}">${field.label}</label>
${notes(field)}
</div>`
