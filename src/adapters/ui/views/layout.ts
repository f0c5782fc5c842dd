import { COPY_SCRIPT } from "../copyScript.js"
import { CSRF_FIELD } from "../csrf.js"
import { type Html, html, trusted } from "../html.js"

/** Who is looking at a page, for the header: their name and the token their sign-out form needs. */
export interface Viewer {
  readonly username: string
  readonly csrf: string
  /** Administrators get the admin area's link. */
  readonly admin?: boolean
}

export const csrfInput = (token: string): Html => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`

/**
 * Every page: `lang`, a viewport for phones, a skip link, the header with the main navigation, exactly one
 * `<main>` (the caller supplies its one `<h1>`), and the copy script (allowed by its CSP hash).
 */
export const layout = (title: string, viewer: Viewer | null, main: Html): Html => html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Dependency Proxy</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
<div class="container bar">
<nav aria-label="Main">
<a class="brand" href="/">Dependency Proxy</a>
${viewer !== null && html`<a href="/groups">Groups</a> <a href="/-/user_settings/personal_access_tokens">Access tokens</a> <a href="/-/user_settings/password/edit">Password</a>`}
${viewer?.admin === true && html` <a href="/admin">Admin area</a>`}
</nav>
${viewer !== null && html`<div class="account">
<span>Signed in as <strong>${viewer.username}</strong></span>
<form method="post" action="/users/sign_out">${csrfInput(viewer.csrf)}<button type="submit" class="button link">Sign out</button></form>
</div>`}
</div>
</header>
<main id="main" class="container">
${main}
</main>
<script>${trusted(COPY_SCRIPT)}</script>
</body>
</html>
`
