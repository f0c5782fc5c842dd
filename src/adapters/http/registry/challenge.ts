import type { Challenge } from "./registryErrors.js"

/** The one service `/jwt/auth` issues tokens for: what the challenge names and tokens carry as `aud`. */
export const REGISTRY_SERVICE = "dependency_proxy"

/** The challenges a client follows to `/jwt/auth` (Docker's token flow). */
export const challengeFor = (externalUrl: string, repository: string | null): Challenge => {
  const scope = repository === null ? "" : `,scope="repository:${repository}:pull"`
  return {
    bearer: `Bearer realm="${externalUrl}/jwt/auth",service="${REGISTRY_SERVICE}"${scope}`,
    basic: `Basic realm="${externalUrl}/jwt/auth"`
  }
}
