/**
 * distribution 2.8 wraps its router in gorilla/handlers' CombinedLoggingHandler and writes to stdout:
 *   127.0.0.1 - - [29/Nov/2026:15:00:24 +0000] "HEAD /v2/library/alpine/manifests/3.19 HTTP/1.1" 401 157 "" "curl/7.88.1"
 * (its JSON `log.formatter` applies only to the app log on stderr). Each line is written after the
 * handler returns, so 401 challenges appear as well as the retried, authorized requests.
 */

export type Route =
  | { readonly kind: "base" }
  | { readonly kind: "catalog" }
  | { readonly kind: "manifest"; readonly repository: string; readonly reference: string }
  | { readonly kind: "blob"; readonly repository: string; readonly digest: string }
  | { readonly kind: "upload"; readonly repository: string }
  | { readonly kind: "tags"; readonly repository: string }
  | { readonly kind: "other" }

export type RouteKind = Route["kind"]

export interface AccessLogEntry {
  readonly method: string
  /** Path without the query string. */
  readonly path: string
  /** As requested, query string included. */
  readonly uri: string
  readonly status: number
  /** Response body bytes as the registry counted them (0 for HEAD). */
  readonly bytes: number
  readonly userAgent: string
  readonly time: string
  readonly route: Route
}

const LINE = /^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+) ([^"]+)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$/

// Repository names may contain "/", so the route is recognized from its fixed tail, as distribution's router does.
const MANIFEST = /^\/v2\/(.+)\/manifests\/([^/]+)$/
const UPLOAD = /^\/v2\/(.+)\/blobs\/uploads(?:\/.*)?$/
const BLOB = /^\/v2\/(.+)\/blobs\/([^/]+)$/
const TAGS = /^\/v2\/(.+)\/tags\/list$/

export const classifyPath = (path: string): Route => {
  if (path === "/v2/" || path === "/v2") return { kind: "base" }
  if (path === "/v2/_catalog") return { kind: "catalog" }
  const upload = UPLOAD.exec(path)
  if (upload?.[1] !== undefined) return { kind: "upload", repository: upload[1] }
  const manifest = MANIFEST.exec(path)
  if (manifest?.[1] !== undefined && manifest[2] !== undefined) return { kind: "manifest", repository: manifest[1], reference: manifest[2] }
  const blob = BLOB.exec(path)
  if (blob?.[1] !== undefined && blob[2] !== undefined) return { kind: "blob", repository: blob[1], digest: blob[2] }
  const tags = TAGS.exec(path)
  if (tags?.[1] !== undefined) return { kind: "tags", repository: tags[1] }
  return { kind: "other" }
}

const unquote = (text: string): string => text.replace(/\\(.)/g, "$1")

/** One access-log line, or undefined for anything else the registry prints on stdout. */
export const parseAccessLogLine = (line: string): AccessLogEntry | undefined => {
  const match = LINE.exec(line.trim())
  if (match === null) return undefined
  const [, , , time, method, uri, , status, bytes, , userAgent] = match
  if (time === undefined || method === undefined || uri === undefined || status === undefined || bytes === undefined || userAgent === undefined) {
    return undefined
  }
  const path = uri.split("?")[0] ?? uri
  return {
    method,
    path,
    uri,
    status: Number(status),
    bytes: bytes === "-" ? 0 : Number(bytes),
    userAgent: unquote(userAgent),
    time,
    route: classifyPath(path)
  }
}

export interface RequestFilter {
  readonly method?: string
  readonly kind?: RouteKind
  readonly repository?: string
  /** A manifest's tag or digest, or a blob's digest. */
  readonly reference?: string
  readonly status?: number | ReadonlyArray<number>
}

const referenceOf = (route: Route): string | undefined =>
  route.kind === "manifest" ? route.reference : route.kind === "blob" ? route.digest : undefined

const repositoryOf = (route: Route): string | undefined => ("repository" in route ? route.repository : undefined)

export const matchesFilter = (entry: AccessLogEntry, filter: RequestFilter): boolean => {
  if (filter.method !== undefined && entry.method !== filter.method.toUpperCase()) return false
  if (filter.kind !== undefined && entry.route.kind !== filter.kind) return false
  if (filter.repository !== undefined && repositoryOf(entry.route) !== filter.repository) return false
  if (filter.reference !== undefined && referenceOf(entry.route) !== filter.reference) return false
  if (filter.status !== undefined) {
    const wanted = typeof filter.status === "number" ? [filter.status] : filter.status
    if (!wanted.includes(entry.status)) return false
  }
  return true
}
