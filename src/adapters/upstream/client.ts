import type { IncomingHttpHeaders } from "node:http"
import { Effect, Option, Ref } from "effect"
import type { Dispatcher } from "undici"
import {
  UpstreamCredentialsRejected,
  type RateLimit,
  type UpstreamCaller,
  type UpstreamError,
  UpstreamInvalid,
  UpstreamNotFound
} from "../../application/ports/UpstreamRegistry.js"
import { basicAuthorization } from "./basicAuthorization.js"
import { type Challenge, findChallenge, parseChallenges } from "./challenge.js"
import { describeUrl, discard, type Exchanged, type Method, send, withResponse } from "./exchange.js"
import { headerValue, headerValues } from "./headers.js"
import { rateLimitOf } from "./rateLimit.js"
import { cacheKey, type TokenCache } from "./tokenCache.js"
import { fetchToken } from "./tokenEndpoint.js"
import type { Transient } from "./Transient.js"

/** Docker Hub sends one hop to its CDN; five is what Go's and Docker's clients would also accept. */
const MAX_REDIRECTS = 5
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/**
 * Requests to the registry as a given caller: Docker's token dance and redirects, nothing else. What a status
 * means is left to `use`, which receives the final response (never a redirect, never the registry's 401).
 */
export interface RegistryClient {
  readonly base: URL
  readonly request: <A, E, R>(
    caller: UpstreamCaller,
    repository: string,
    method: Method,
    url: URL,
    headers: Readonly<Record<string, string>>,
    use: (response: Exchanged) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | UpstreamError | Transient, R>
}

type Outcome<A> =
  | { readonly _tag: "Done"; readonly value: A }
  | { readonly _tag: "Challenged"; readonly headers: IncomingHttpHeaders }

export const makeClient = (
  dispatcher: Dispatcher,
  base: URL,
  rateLimit: Ref.Ref<RateLimit>,
  tokens: TokenCache<UpstreamError | Transient>
): RegistryClient => {
  const onRegistry = (url: URL) => url.origin === base.origin

  const record = (url: URL, headers: IncomingHttpHeaders) => {
    const announced = onRegistry(url) ? rateLimitOf(headers) : null
    return announced === null ? Effect.void : Ref.set(rateLimit, announced)
  }

  /** One request and its redirects; `Authorization` goes only to the registry's own origin, never to a CDN. */
  const follow = <A, E, R>(
    method: Method,
    url: URL,
    headers: Readonly<Record<string, string>>,
    authorization: string | null,
    use: (response: Exchanged) => Effect.Effect<A, E, R>,
    redirects: number
  ): Effect.Effect<A, E | UpstreamInvalid | Transient, R> => {
    const sent = authorization !== null && onRegistry(url) ? { ...headers, authorization } : headers
    return withResponse(send(dispatcher, method, url, sent), (response) =>
      Effect.gen(function*() {
        yield* record(url, response.headers)
        if (!REDIRECT_STATUSES.has(response.status)) return yield* use(response)
        yield* discard(response)
        const location = headerValue(response.headers, "location")
        const next = location !== undefined && URL.canParse(location, url.href) ? new URL(location, url) : null
        if (next === null || (next.protocol !== "https:" && next.protocol !== "http:")) {
          return yield* new UpstreamInvalid({ reason: `${describeUrl(url)} redirected (${response.status}) without a usable Location` })
        }
        if (redirects >= MAX_REDIRECTS) {
          return yield* new UpstreamInvalid({ reason: `${describeUrl(url)}: more than ${MAX_REDIRECTS} redirects` })
        }
        return yield* follow(method, next, headers, authorization, use, redirects + 1)
      }))
  }

  /** What to send after a 401: a Bearer token from the challenge's realm, or Basic if that is all it asks. */
  const answer = (caller: UpstreamCaller, repository: string, key: string, refused: Option.Option<string>, challenges: ReadonlyArray<Challenge>) =>
    Effect.gen(function*() {
      const bearer = findChallenge(challenges, "bearer")
      if (bearer !== undefined) {
        if (Option.isSome(refused)) yield* tokens.invalidate(key, refused.value)
        const token = yield* tokens.obtain(
          key,
          fetchToken(dispatcher, { challenge: bearer, repository, credentials: caller.credentials, registry: base })
        )
        return `Bearer ${token}`
      }
      if (findChallenge(challenges, "basic") !== undefined && caller.credentials !== null) return basicAuthorization(caller.credentials)
      return yield* new UpstreamNotFound({ status: 401 })
    })

  const request = <A, E, R>(
    caller: UpstreamCaller,
    repository: string,
    method: Method,
    url: URL,
    headers: Readonly<Record<string, string>>,
    use: (response: Exchanged) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | UpstreamError | Transient, R> =>
    Effect.gen(function*() {
      const key = cacheKey(caller, repository)
      const attempt = (authorization: string | null): Effect.Effect<Outcome<A>, E | UpstreamInvalid | Transient, R> =>
        follow(method, url, headers, authorization, (response): Effect.Effect<Outcome<A>, E, R> =>
          response.status === 401 && onRegistry(response.url)
            ? Effect.as(discard(response), { _tag: "Challenged", headers: response.headers })
            : Effect.map(use(response), (value) => ({ _tag: "Done", value })), 0)

      // A cached token is sent at once, sparing the registry the anonymous round trip.
      const cached = yield* tokens.current(key)
      const first = yield* attempt(Option.match(cached, { onNone: () => null, onSome: (token) => `Bearer ${token}` }))
      if (first._tag === "Done") return first.value
      const challenges = parseChallenges(headerValues(first.headers, "www-authenticate").join(", "))
      const second = yield* attempt(yield* answer(caller, repository, key, cached, challenges))
      if (second._tag === "Done") return second.value
      // Basic credentials refused: nothing else than the credentials themselves was judged.
      const basicOnly = findChallenge(challenges, "bearer") === undefined
      if (basicOnly && caller.credentials !== null) return yield* new UpstreamCredentialsRejected({ status: 401 })
      // Refused with a fresh token: these credentials cannot read this repository.
      return yield* new UpstreamNotFound({ status: 401 })
    })

  return { base, request }
}
