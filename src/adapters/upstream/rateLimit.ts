import type { IncomingHttpHeaders } from "node:http"
import type { RateLimit } from "../../application/ports/UpstreamRegistry.js"
import { headerValue } from "./headers.js"

/** Docker Hub sends `100;w=21600` (limit; window in seconds): the number is the part before `;`. */
export const parseRateLimitValue = (value: string | undefined): number | null => {
  const head = value?.split(";")[0]?.trim() ?? ""
  return /^\d+$/.test(head) ? Number(head) : null
}

/** The rate limit a response announced, or null when it announced none (so the last known one stays). */
export const rateLimitOf = (headers: IncomingHttpHeaders): RateLimit | null => {
  const limit = headerValue(headers, "ratelimit-limit")
  const remaining = headerValue(headers, "ratelimit-remaining")
  if (limit === undefined && remaining === undefined) return null
  return { limit: parseRateLimitValue(limit), remaining: parseRateLimitValue(remaining) }
}
