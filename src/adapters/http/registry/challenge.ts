/** The one service `/jwt/auth` issues tokens for: what the challenge names and tokens carry as `aud`. */
export const REGISTRY_SERVICE = "dependency_proxy"

/** The challenges a 401 carries, for Bearer (registry clients) and Basic (everything else). */
export interface Challenge {
  /** `Bearer realm=…,service=…` plus `scope=` for the repository being asked for, if any. */
  readonly bearer: string
  readonly basic: string
}

/** The challenges a client follows to `/jwt/auth` (Docker's token flow). */
export const challengeFor = (externalUrl: string, repository: string | null): Challenge => {
  const scope = repository === null ? "" : `,scope="repository:${repository}:pull"`
  return {
    bearer: `Bearer realm="${externalUrl}/jwt/auth",service="${REGISTRY_SERVICE}"${scope}`,
    basic: `Basic realm="${externalUrl}/jwt/auth"`
  }
}
