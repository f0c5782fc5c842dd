import type { IncomingHttpHeaders } from "node:http"
import { Effect, Exit } from "effect"
import type { Dispatcher } from "undici"
import { Transient } from "./Transient.js"

export type Method = "GET" | "HEAD"

/** One HTTP response; `url` is where it came from (after redirects, the last hop). */
export interface Exchanged {
  readonly url: URL
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Dispatcher.ResponseData["body"]
}

/**
 * A URL fit for error messages: origin and path only. The query is dropped because redirect targets on CDNs
 * carry signatures (`?X-Amz-Signature=…`) that are as good as credentials.
 */
export const describeUrl = (url: URL): string => `${url.origin}${url.pathname}`

const describeError = (error: unknown): string => {
  if (error instanceof Error) {
    const code = "code" in error && typeof error.code === "string" ? error.code : undefined
    // Node and undici messages name the address and the timeout, never the request headers.
    return code === undefined ? error.message : `${code} (${error.message})`
  }
  return String(error)
}

/** Sends one request, no redirect following: undici 7's `request` returns 3xx responses as they are. */
export const send = (
  dispatcher: Dispatcher,
  method: Method,
  url: URL,
  headers: Readonly<Record<string, string>>
): Effect.Effect<Exchanged, Transient> =>
  Effect.tryPromise({
    try: (signal) =>
      dispatcher.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method, headers, signal }),
    catch: (error) => new Transient({ reason: `${method} ${describeUrl(url)}: ${describeError(error)}`, retryAfterMs: null })
  }).pipe(Effect.map((response) => ({ url, status: response.statusCode, headers: response.headers, body: response.body })))

/** Reads what is left of a body we do not want, so the connection can be reused (undici caps this at 128 KiB). */
export const discard = (response: Exchanged): Effect.Effect<void> => Effect.promise(() => response.body.dump())

/**
 * Sends, then hands the response to `use`; if `use` fails or is interrupted the body is discarded. On success
 * `use` has consumed the body or handed it on. The gap between the two steps is uninterruptible so a response
 * never leaks its connection.
 */
export const withResponse = <A, E, R, E2, R2>(
  request: Effect.Effect<Exchanged, E, R>,
  use: (response: Exchanged) => Effect.Effect<A, E2, R2>
): Effect.Effect<A, E | E2, R | R2> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(restore(request), (response) =>
      restore(use(response)).pipe(Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : discard(response))))
    )
  )
