import { Context, Data, type Effect } from "effect"

/** One entry of the Docker `access` claim: what may be done to which repository. */
export interface RegistryAccess {
  readonly type: "repository"
  /** `<group path>/dependency_proxy/containers/<image>` */
  readonly name: string
  readonly actions: ReadonlyArray<string>
}

/** What a registry bearer token says. It names the credential, never carries it. */
export interface RegistryClaims {
  /** `user:<id>`, `pat:<id>`, `deploy_token:<id>`, `group_token:<id>` or `job:<id>` */
  readonly subject: string
  /** The credential's version it was issued for (see `Credential.version`); 0 for tokens. */
  readonly version: number
  readonly access: ReadonlyArray<RegistryAccess>
  readonly issuedAt: Date
  readonly expiresAt: Date
  readonly jwtId: string
}

export interface IssuedRegistryToken {
  readonly token: string
  readonly claims: RegistryClaims
}

/** The bearer token is not one we issued, or no longer valid; the client must authenticate again. */
export class InvalidRegistryToken extends Data.TaggedError("InvalidRegistryToken")<{ readonly reason: string }> {}

/**
 * Signs and verifies the JWTs that `/jwt/auth` hands out and the registry routes accept (asymmetric keys
 * with a `kid`, audience `dependency_proxy`, issuer the external URL).
 */
export interface RegistryTokensShape {
  readonly issue: (
    credential: { readonly subject: string; readonly version: number },
    access: ReadonlyArray<RegistryAccess>,
    now: Date
  ) => Effect.Effect<IssuedRegistryToken>
  readonly verify: (token: string, now: Date) => Effect.Effect<RegistryClaims, InvalidRegistryToken>
}

export class RegistryTokens extends Context.Tag("dependency-proxy/RegistryTokens")<RegistryTokens, RegistryTokensShape>() {}
