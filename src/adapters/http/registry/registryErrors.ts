import { Match } from "effect"
import type { BadCredentials, BearerTokenMissing, CredentialNoLongerValid, CredentialRefused, PullDenied, RepositoryNotInToken, SignInThrottled } from "../../../application/auth/errors.js"
import type { EventStoreUnavailable, VersionConflict } from "../../../application/ports/EventStore.js"
import type { UpstreamCredentialsRejected, UpstreamInvalid, UpstreamUnavailable } from "../../../application/ports/UpstreamRegistry.js"
import type { BlobUnknown, ContentStorageFailed, ManifestUnknown, NameUnknown } from "../../../application/ports/ImageContent.js"
import type { InvalidRegistryToken } from "../../../application/ports/RegistryTokens.js"
import type { RouteError } from "../../../domain/registry/RegistryPath.js"
import { type Challenge, REGISTRY_SERVICE } from "./challenge.js"
import type { OciErrorResponse } from "./ociError.js"

/** Every way a registry or token request can fail short of a defect. */
export type RegistryFailure =
  | RouteError
  | BadCredentials
  | CredentialRefused
  | CredentialNoLongerValid
  | RepositoryNotInToken
  | BearerTokenMissing
  | InvalidRegistryToken
  | PullDenied
  | SignInThrottled
  | ManifestUnknown
  | BlobUnknown
  | NameUnknown
  | UpstreamUnavailable
  | UpstreamInvalid
  | UpstreamCredentialsRejected
  | ContentStorageFailed
  | EventStoreUnavailable
  | VersionConflict
  | { readonly _tag: "PushUnsupported" }
  | { readonly _tag: "UnknownService"; readonly service: string | null }

/** GitLab's words for a failed Basic sign-in, so scripts and people see the same message. */
export const ACCESS_DENIED_MESSAGE =
  "HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you're required to use a token instead of a password."

/** One answer for every authorization "no", so nobody learns whether a group exists. */
export const NAME_UNKNOWN_MESSAGE = "repository name not known to registry"

/** The error-to-status table (ARCHITECTURE.md), exhaustive over `RegistryFailure`. */
export const registryError = (failure: RegistryFailure, challenge: Challenge): OciErrorResponse => {
  const unauthorized = (message: string): OciErrorResponse => ({
    status: 401,
    code: "UNAUTHORIZED",
    message,
    headers: { "www-authenticate": challenge.bearer }
  })
  return Match.value(failure).pipe(
    Match.tagsExhaustive({
      NameInvalid: (e) => ({ status: 400, code: "NAME_INVALID", message: e.message }),
      DigestInvalid: (e) => ({ status: 400, code: "DIGEST_INVALID", message: e.message }),
      ReferenceInvalid: (e) => ({ status: 404, code: "MANIFEST_UNKNOWN", message: e.message }),
      RouteUnknown: () => ({ status: 404, code: "NAME_UNKNOWN", message: NAME_UNKNOWN_MESSAGE }),
      BearerTokenMissing: () => unauthorized("authentication required"),
      InvalidRegistryToken: (e) => unauthorized(`authentication required: ${e.reason}`),
      CredentialNoLongerValid: (e) => unauthorized(`authentication required: ${e.reason}`),
      RepositoryNotInToken: () => unauthorized("authentication required: the token does not cover this repository"),
      BadCredentials: () => ({ status: 401, code: "UNAUTHORIZED", message: ACCESS_DENIED_MESSAGE, headers: { "www-authenticate": challenge.basic } }),
      CredentialRefused: (e) => ({ status: 403, code: "DENIED", message: `access denied: ${e.reason}` }),
      PullDenied: () => ({ status: 404, code: "NAME_UNKNOWN", message: NAME_UNKNOWN_MESSAGE }),
      SignInThrottled: (e) => ({
        status: 429,
        code: "TOOMANYREQUESTS",
        message: "too many failed sign-in attempts; try again later",
        headers: { "retry-after": String(e.retryAfterSeconds) }
      }),
      ManifestUnknown: (e) => ({ status: 404, code: "MANIFEST_UNKNOWN", message: "manifest unknown", detail: { name: e.image, reference: e.reference } }),
      NameUnknown: () => ({ status: 404, code: "NAME_UNKNOWN", message: NAME_UNKNOWN_MESSAGE }),
      BlobUnknown: (e) => ({ status: 404, code: "BLOB_UNKNOWN", message: "blob unknown to registry", detail: { digest: e.digest } }),
      UpstreamUnavailable: (e) => ({
        status: 503,
        code: "UNAVAILABLE",
        message: "the upstream registry is unavailable and the image is not cached",
        // While the upstream's breaker is open (or upstream itself asked for it), say when asking again may help.
        ...(e.retryAfterMs === undefined ? {} : { headers: { "retry-after": String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))) } })
      }),
      UpstreamInvalid: (e) => ({ status: 502, code: "UNKNOWN", message: `the upstream registry sent an invalid response: ${e.reason}` }),
      // The client's own credentials were fine: the group's Docker Hub credentials were not. Say so, and who can fix it.
      UpstreamCredentialsRejected: (e) => ({
        status: 403,
        code: "DENIED",
        message: `the upstream registry rejected this group's Docker Hub credentials (HTTP ${e.status}); ` +
          "a group Owner must correct them in the group's Dependency Proxy settings"
      }),
      ContentStorageFailed: () => ({ status: 503, code: "UNAVAILABLE", message: "the cache storage is unavailable" }),
      EventStoreUnavailable: () => ({ status: 503, code: "UNAVAILABLE", message: "the service is temporarily unavailable" }),
      VersionConflict: () => ({ status: 503, code: "UNAVAILABLE", message: "the service is busy; try again" }),
      PushUnsupported: () => ({ status: 405, code: "UNSUPPORTED", message: "the dependency proxy is a read-only cache: push is not supported" }),
      // As GitLab's JwtController: a token for a service we do not run is not found, before any credential is read.
      UnknownService: (e) => ({
        status: 404,
        code: "NAME_UNKNOWN",
        message: `unknown service ${JSON.stringify(e.service ?? "")}: tokens are issued for service "${REGISTRY_SERVICE}"`
      })
    })
  )
}
