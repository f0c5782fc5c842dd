/** The pages under `/groups/<full path>/-/settings`: the settings page itself, SSO, and the two kinds of group token. */
export type SettingsPage = "settings" | "sso" | "deploy_tokens" | "access_tokens"

export interface SettingsRoute {
  readonly groupPath: string
  readonly page: SettingsPage
  /** A token's revoke question (`revoke`) and answer (`revoke/confirm`); null on the page itself. */
  readonly revoke: { readonly tokenId: number; readonly confirmed: boolean } | null
}

const ROUTE = /^\/groups\/(.+?)\/-\/settings(?:\/(sso|deploy_tokens|access_tokens)(?:\/(\d{1,15})\/revoke(\/confirm)?)?)?\/?$/

/** `/groups/<path>/-/settings[/…]`, or null for another URL (or a malformed escape, which names no group). */
export const parseSettingsRoute = (url: string): SettingsRoute | null => {
  const match = ROUTE.exec(url.split("?")[0] ?? "")
  const encoded = match?.[1]
  if (match === null || encoded === undefined) return null
  const page = match[2]
  if (page === "sso" && match[3] !== undefined) return null
  try {
    const groupPath = decodeURIComponent(encoded)
    const tokenId = match[3]
    return {
      groupPath,
      page: page === "sso" || page === "deploy_tokens" || page === "access_tokens" ? page : "settings",
      revoke: tokenId === undefined ? null : { tokenId: Number(tokenId), confirmed: match[4] !== undefined }
    }
  } catch (error) {
    if (error instanceof URIError) return null
    throw error
  }
}

/** GETs show the settings page and the token pages; the SSO form, token creation and both revoke steps are POSTs. */
export const allowsMethod = (route: SettingsRoute, method: string): boolean => {
  const tokenPage = route.page === "deploy_tokens" || route.page === "access_tokens"
  if (method === "GET") return route.revoke === null && (route.page === "settings" || tokenPage)
  return method === "POST" && route.page !== "settings"
}

export const settingsPath = (fullPath: string, page: SettingsPage = "settings"): string => {
  const base = `/groups/${fullPath.split("/").map(encodeURIComponent).join("/")}/-/settings`
  return page === "settings" ? base : `${base}/${page}`
}
