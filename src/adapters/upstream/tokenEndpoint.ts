import { Clock, Effect, Schema } from "effect"
import type { Dispatcher } from "undici"
import {
  UpstreamCredentialsRejected,
  type UpstreamCredentials,
  type UpstreamError,
  UpstreamInvalid,
  UpstreamNotFound
} from "../../application/ports/UpstreamRegistry.js"
import { basicAuthorization } from "./basicAuthorization.js"
import { readCapped } from "./body.js"
import type { Challenge } from "./challenge.js"
import { describeUrl, discard, send, withResponse } from "./exchange.js"
import { headerValue } from "./headers.js"
import { retryAfterMs } from "./status.js"
import { type IssuedToken, expiresAt } from "./tokenCache.js"
import { Transient } from "./Transient.js"

/** Token responses are a JWT and a few fields; anything near this size is not a token server. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024

/** Docker's token response: `token`, or OAuth2's `access_token`; both optional so either is accepted. */
const TokenResponse = Schema.Struct({
  token: Schema.optional(Schema.String),
  access_token: Schema.optional(Schema.String),
  expires_in: Schema.optional(Schema.Unknown),
  issued_at: Schema.optional(Schema.Unknown)
})

export interface TokenRequest {
  readonly challenge: Challenge
  readonly repository: string
  readonly credentials: UpstreamCredentials | null
  /** The registry the challenge came from: credentials are not sent in clear when it used TLS. */
  readonly registry: URL
}

const invalid = (reason: string) => new UpstreamInvalid({ reason: `token endpoint: ${reason}` })

const tokenUrl = (request: TokenRequest): Effect.Effect<URL, UpstreamInvalid> => {
  const realm = request.challenge.params.get("realm")
  const url = realm === undefined || !URL.canParse(realm) ? null : new URL(realm)
  if (url === null || (url.protocol !== "https:" && url.protocol !== "http:")) {
    return Effect.fail(invalid("the challenge names no usable realm"))
  }
  if (request.credentials !== null && request.registry.protocol === "https:" && url.protocol !== "https:") {
    return Effect.fail(invalid("refusing to send credentials to a plain-http realm"))
  }
  const service = request.challenge.params.get("service")
  if (service !== undefined) url.searchParams.set("service", service)
  // Always our own pull scope, whatever the challenge suggested: the proxy never needs more.
  url.searchParams.set("scope", `repository:${request.repository}:pull`)
  return Effect.succeed(url)
}

const parseToken = (bytes: Buffer): Effect.Effect<IssuedToken, UpstreamInvalid> =>
  Effect.gen(function*() {
    // Neither the body nor the parser's message goes into the error: the body holds the token.
    const json = yield* Effect.try({ try: (): unknown => JSON.parse(bytes.toString("utf8")), catch: () => invalid("the response is not JSON") })
    const decoded = yield* Schema.decodeUnknownOption(TokenResponse)(json).pipe(
      Effect.mapError(() => invalid("the response is not a token response"))
    )
    const token = decoded.token !== undefined && decoded.token !== "" ? decoded.token : decoded.access_token
    if (token === undefined || token === "") return yield* invalid("the response holds no token")
    const now = yield* Clock.currentTimeMillis
    return {
      token,
      expiresAtMs: expiresAt({
        expiresIn: typeof decoded.expires_in === "number" ? decoded.expires_in : undefined,
        issuedAt: typeof decoded.issued_at === "string" ? decoded.issued_at : undefined
      }, now)
    }
  })

/**
 * Docker's token flow: GET the realm with `service` and `scope`, Basic auth when the caller has credentials.
 * A refusal (401/403) means these credentials cannot pull the image; the endpoint failing (network, 429, 5xx)
 * is worth a retry and ends as `UpstreamUnavailable` ("token endpoint: …").
 */
export const fetchToken = (dispatcher: Dispatcher, request: TokenRequest): Effect.Effect<IssuedToken, UpstreamError | Transient> =>
  Effect.gen(function*() {
    const url = yield* tokenUrl(request)
    const headers: Record<string, string> = { accept: "application/json" }
    if (request.credentials !== null) headers["authorization"] = basicAuthorization(request.credentials)
    return yield* withResponse(send(dispatcher, "GET", url, headers), (response) =>
      Effect.gen(function*() {
        const status = response.status
        if (status === 200) return yield* readCapped(response, MAX_TOKEN_RESPONSE_BYTES).pipe(Effect.flatMap(parseToken))
        yield* discard(response)
        if (status === 401 || status === 403) {
          // With credentials, the token endpoint refusing means the credentials themselves are wrong: the fake
          // Docker Hub, like auth.docker.io, gives anyone else a token with fewer actions.
          return yield* (request.credentials === null ? new UpstreamNotFound({ status }) : new UpstreamCredentialsRejected({ status }))
        }
        if (status === 429 || status >= 500) {
          const now = yield* Clock.currentTimeMillis
          return yield* new Transient({ reason: `${describeUrl(url)} answered ${status}`, retryAfterMs: retryAfterMs(headerValue(response.headers, "retry-after"), now) })
        }
        return yield* invalid(`unexpected status ${status}`)
      }))
  }).pipe(
    Effect.mapError((error) =>
      error._tag === "Transient" ? new Transient({ reason: `token endpoint: ${error.reason}`, retryAfterMs: error.retryAfterMs }) : error
    )
  )
