import type { FastifyReply } from "fastify"

/** Doorkeeper's words (GitLab's OAuth provider): the same for every refusal, so nothing is revealed. */
export const INVALID_GRANT =
  "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."

/** RFC 6749 §5.2's error response, with its status. */
export interface OAuthError {
  readonly _tag: "OAuthError"
  readonly status: number
  readonly error: string
  readonly description: string
  readonly retryAfter?: number
}

export const oauthError = (status: number, error: string, description: string, retryAfter?: number): OAuthError =>
  retryAfter === undefined ? { _tag: "OAuthError", status, error, description } : { _tag: "OAuthError", status, error, description, retryAfter }

export const sendJson = (reply: FastifyReply, status: number, body: unknown) =>
  reply
    .code(status)
    // RFC 6749 §5.1: a response carrying a token must not be cached.
    .headers({ "content-type": "application/json; charset=utf-8", "cache-control": "no-store", pragma: "no-cache" })
    .send(JSON.stringify(body))

