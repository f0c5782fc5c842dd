/**
 * The pages under `/groups/<full path>/-/settings`: the settings page itself, its general form (name, path,
 * description), deletion (question and answer), SSO, and the two kinds of group token.
 */
export type SettingsPage = "settings" | "general" | "delete" | "sso" | "deploy_tokens" | "access_tokens"

export interface SettingsRoute {
  readonly groupPath: string
  readonly page: SettingsPage
  /** A token's revoke question (`revoke`) and answer (`revoke/confirm`); null on the page itself. */
  readonly revoke: { readonly tokenId: number; readonly confirmed: boolean } | null
  /** On `delete`: the answer (`delete/confirm`) rather than the question. */
  readonly confirmed: boolean
}

const ROUTE = /^\/groups\/(.+?)\/-\/settings(?:\/(sso|general|delete|deploy_tokens|access_tokens)(?:\/(\d{1,15})\/revoke(\/confirm)?|\/(confirm))?)?\/?$/

/** `/groups/<path>/-/settings[/…]`, or null for another URL (or a malformed escape, which names no group). */
export const parseSettingsRoute = (url: string): SettingsRoute | null => {
  const match = ROUTE.exec(url.split("?")[0] ?? "")
  const encoded = match?.[1]
  if (match === null || encoded === undefined) return null
  const page = match[2]
  const tokenPage = page === "deploy_tokens" || page === "access_tokens"
  if ((match[3] !== undefined && !tokenPage) || (match[5] !== undefined && page !== "delete")) return null
  try {
    const groupPath = decodeURIComponent(encoded)
    const tokenId = match[3]
    return {
      groupPath,
      page: page === "sso" || page === "general" || page === "delete" || tokenPage ? page : "settings",
      revoke: tokenId === undefined ? null : { tokenId: Number(tokenId), confirmed: match[4] !== undefined },
      confirmed: match[5] !== undefined
    }
  } catch (error) {
    if (error instanceof URIError) return null
    throw error
  }
}

/**
 * GETs show the settings page and the token pages; the SSO and general forms, token creation, and both steps of
 * a revocation or a deletion are POSTs.
 */
export const allowsMethod = (route: SettingsRoute, method: string): boolean => {
  const tokenPage = route.page === "deploy_tokens" || route.page === "access_tokens"
  if (method === "GET") return route.revoke === null && (route.page === "settings" || tokenPage)
  return method === "POST" && route.page !== "settings"
}

export const settingsPath = (fullPath: string, page: SettingsPage | "delete/confirm" = "settings"): string => {
  const base = `/groups/${fullPath.split("/").map(encodeURIComponent).join("/")}/-/settings`
  return page === "settings" ? base : `${base}/${page}`
}
