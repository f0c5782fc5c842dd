import { type Html, html } from "../html.js"

export const ADMIN_PATH = "/admin"
export const ADMIN_USERS_PATH = "/admin/users"
export const ADMIN_SETTINGS_PATH = "/admin/application_settings"

type AdminPage = "overview" | "users" | "settings"

/** The admin area's own navigation, the current page marked for screen readers. */
export const adminNav = (current: AdminPage): Html => {
  const link = (page: AdminPage, href: string, label: string): Html =>
    html`<li><a href="${href}"${page === current && html` aria-current="page"`}>${label}</a></li>`
  return html`<nav aria-label="Admin area" class="breadcrumb admin-nav"><ol>
${link("overview", ADMIN_PATH, "Overview")}${link("users", ADMIN_USERS_PATH, "Users")}${link("settings", ADMIN_SETTINGS_PATH, "Settings")}
</ol></nav>`
}
