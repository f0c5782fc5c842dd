import type { IncomingHttpHeaders } from "node:http"

/** The first value of a response header (undici gives repeated headers as arrays); names are lowercase. */
export const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Every value of a header, for those a server may repeat (`WWW-Authenticate`, `Link`). */
export const headerValues = (headers: IncomingHttpHeaders, name: string): ReadonlyArray<string> => {
  const value = headers[name]
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}

/** A non-negative integer header such as `Content-Length`, or null when absent or malformed. */
export const integerHeader = (headers: IncomingHttpHeaders, name: string): number | null => {
  const value = headerValue(headers, name)?.trim()
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null
}

/** `Content-Type` without its parameters (`application/json; charset=utf-8` → `application/json`). */
export const mediaTypeOf = (headers: IncomingHttpHeaders): string | undefined => {
  const value = headerValue(headers, "content-type")?.split(";")[0]?.trim().toLowerCase()
  return value === "" ? undefined : value
}
