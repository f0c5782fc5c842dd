import { Data } from "effect"
import type { DenialReason } from "../../domain/auth/authorizePull.js"

/** Wrong password, unknown user or token, or a password for a user who must use a token (2FA). */
export class BadCredentials extends Data.TaggedError("BadCredentials")<{}> {}

/** The credential is genuine but may not be used here; the reason is shown to the client. */
export class CredentialRefused extends Data.TaggedError("CredentialRefused")<{ readonly reason: string }> {}

/** The credential behind a bearer token was revoked, expired or blocked since the token was issued. */
export class CredentialNoLongerValid extends Data.TaggedError("CredentialNoLongerValid")<{ readonly reason: string }> {}

/** The bearer token does not cover the repository being requested (for example, a `docker login` token). */
export class RepositoryNotInToken extends Data.TaggedError("RepositoryNotInToken")<{ readonly repository: string }> {}

/** No bearer token on a registry request. */
export class BearerTokenMissing extends Data.TaggedError("BearerTokenMissing")<{}> {}

/** Authorization said no. The edge answers every reason alike, so nobody learns whether a group exists. */
export class PullDenied extends Data.TaggedError("PullDenied")<{ readonly reason: DenialReason }> {}

/** Too many failed sign-ins from one address for one username. */
export class SignInThrottled extends Data.TaggedError("SignInThrottled")<{ readonly retryAfterSeconds: number }> {}
