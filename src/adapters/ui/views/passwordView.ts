import { MIN_PASSWORD_LENGTH } from "../../../domain/user/UserValidation.js"
import { type Html, html } from "../html.js"
import { inputField } from "./fields.js"
import { csrfInput, layout, type Viewer } from "./layout.js"

export const PASSWORD_PATH = "/-/user_settings/password"

export type PasswordField = "current_password" | "password" | "password_confirmation"
export type PasswordErrors = Partial<Record<PasswordField | "form", string>>

/** Change password: the current one first; nothing typed is ever sent back. */
export const passwordPage = (viewer: Viewer, errors: PasswordErrors, notice: string | null): Html =>
  layout("Password", viewer, html`<h1>Password</h1>
${notice !== null && html`<div class="notice success" role="status">${notice}</div>`}
${errors.form !== undefined && html`<div class="notice error" role="alert">${errors.form}</div>`}
<p>After a password change you sign in again, and every <code>docker login</code> made with the old password stops working. Personal access tokens keep working.</p>
<form method="post" action="${PASSWORD_PATH}" class="card">
${csrfInput(viewer.csrf)}
${inputField({ id: "current-password", name: "current_password", label: "Current password", type: "password", value: "", autocomplete: "current-password", error: errors.current_password })}
${inputField({ id: "new-password", name: "password", label: "New password", type: "password", value: "", autocomplete: "new-password", error: errors.password,
    hint: `At least ${String(MIN_PASSWORD_LENGTH)} characters.` })}
${inputField({ id: "confirm-password", name: "password_confirmation", label: "Confirm new password", type: "password", value: "", autocomplete: "new-password", error: errors.password_confirmation })}
<button type="submit" class="button">Save password</button>
</form>`)
