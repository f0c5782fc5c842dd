/** What a URL under `/groups/<full path>/-/dependency_proxy` asks for. */
export type GroupAction = "view" | "settings" | "credentials/clear" | "ttl_policy" | "purge" | "purge/confirm"

export interface GroupRoute {
  readonly groupPath: string
  readonly action: GroupAction
}

const ROUTE = /^\/groups\/(.+?)\/-\/dependency_proxy(?:\/(settings|credentials\/clear|ttl_policy|purge|purge\/confirm))?\/?$/

const isAction = (value: string): value is GroupAction =>
  ["settings", "credentials/clear", "ttl_policy", "purge", "purge/confirm"].includes(value)

/** A malformed escape (`%E0%A4%A`) names no group: the caller answers 404. Other errors are not ours to hide. */
const decodeSegment = (segment: string): string | null => {
  try {
    return decodeURIComponent(segment)
  } catch (error) {
    if (error instanceof URIError) return null
    throw error
  }
}

/** Group full paths contain slashes, so they are matched from the whole URL rather than one route parameter. */
export const parseGroupRoute = (url: string): GroupRoute | null => {
  const match = ROUTE.exec(url.split("?")[0] ?? "")
  const encodedPath = match?.[1]
  if (match === null || encodedPath === undefined) return null
  const segments = encodedPath.split("/").map(decodeSegment)
  if (segments.some((s) => s === null || s === "")) return null
  const action = match[2] ?? "view"
  return isAction(action) || action === "view" ? { groupPath: segments.join("/"), action } : null
}

/** The group's dependency proxy page, each path segment escaped for the URL. */
export const groupPagePath = (fullPath: string, action: GroupAction = "view"): string => {
  const base = `/groups/${fullPath.split("/").map(encodeURIComponent).join("/")}/-/dependency_proxy`
  return action === "view" ? base : `${base}/${action}`
}
