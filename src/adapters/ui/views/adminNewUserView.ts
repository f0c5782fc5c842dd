import { MIN_PASSWORD_LENGTH } from "../../../domain/user/UserValidation.js"
import { type Html, html } from "../html.js"
import { adminNav, ADMIN_USERS_PATH } from "./adminNav.js"
import { checkboxField, inputField } from "./fields.js"
import { csrfInput, layout, type Viewer } from "./layout.js"

export type NewUserField = "username" | "name" | "email" | "password"

export interface NewUserForm {
  readonly username: string
  readonly name: string
  readonly email: string
  readonly admin: boolean
  readonly errors: Partial<Record<NewUserField | "form", string>>
}

export const emptyNewUserForm: NewUserForm = { username: "", name: "", email: "", admin: false, errors: {} }

/** An administrator creates a user with a first password they hand over; the password is never shown back. */
export const adminNewUserPage = (viewer: Viewer, form: NewUserForm): Html =>
  layout("New user · Admin area", viewer, html`${adminNav("users")}
<h1>New user</h1>
${form.errors.form !== undefined && html`<div class="notice error" role="alert">${form.errors.form}</div>`}
<form method="post" action="${ADMIN_USERS_PATH}" class="card">
${csrfInput(viewer.csrf)}
${inputField({ id: "user-name", name: "name", label: "Name", type: "text", value: form.name, autocomplete: "off", error: form.errors.name })}
${inputField({ id: "user-username", name: "username", label: "Username", type: "text", value: form.username, autocomplete: "off", error: form.errors.username,
    hint: "Letters, digits, '_', '-' and '.'; what they sign in and docker login with." })}
${inputField({ id: "user-email", name: "email", label: "Email", type: "text", value: form.email, autocomplete: "off", error: form.errors.email })}
${inputField({ id: "user-password", name: "password", label: "Password", type: "password", value: "", autocomplete: "new-password", error: form.errors.password,
    hint: `At least ${String(MIN_PASSWORD_LENGTH)} characters. Give it to the user; they can change it under Password.` })}
${checkboxField({ id: "user-admin", name: "admin", label: "Administrator: manages users, instance settings and every group", checked: form.admin })}
<div class="actions"><button type="submit" class="button">Create user</button> <a href="${ADMIN_USERS_PATH}">Cancel</a></div>
</form>`)
