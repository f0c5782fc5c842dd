import { type Html, html } from "../html.js"
import { inputField } from "./fields.js"
import { csrfInput, layout } from "./layout.js"

export interface SignInForm {
  readonly username: string
  readonly redirectTo: string
  readonly csrf: string
  readonly error: string | null
}

/**
 * The sign-in page. Two-factor users cannot use their password here (this UI has no second-factor prompt), so
 * the page tells everyone up front how to use a personal access token instead; the failure message is the
 * same for every cause, so it does not reveal which usernames exist or have two-factor authentication.
 */
export const signInPage = (form: SignInForm): Html =>
  layout("Sign in", null, html`<div class="narrow">
<h1>Sign in</h1>
<p>Sign in to see and manage the dependency proxy of your groups.</p>
${form.error !== null && html`<div class="notice error" role="alert">${form.error}</div>`}
<form method="post" action="/users/sign_in" novalidate>
${csrfInput(form.csrf)}
<input type="hidden" name="redirect_to" value="${form.redirectTo}">
${inputField({ id: "user_login", name: "username", label: "Username", type: "text", value: form.username, autocomplete: "username",
  extra: html` autocapitalize="none" spellcheck="false" required` })}
${inputField({ id: "user_password", name: "password", label: "Password", type: "password", value: "", autocomplete: "current-password",
  extra: html` required`,
  hint: html`Two-factor authentication enabled? Enter a personal access token with the <code>api</code> scope instead of your password.` })}
<button type="submit" class="button">Sign in</button>
</form>
</div>`)

export const SIGN_IN_FAILED =
  "Invalid username or password. If your account uses two-factor authentication, use a personal access token with the api scope as the password."
