import type { Challenge } from "./registryErrors.js"

/** The challenges a client follows to `/jwt/auth` (Docker's token flow). */
export const challengeFor = (externalUrl: string, repository: string | null): Challenge => {
  const scope = repository === null ? "" : `,scope="repository:${repository}:pull"`
  return {
    bearer: `Bearer realm="${externalUrl}/jwt/auth",service="dependency_proxy"${scope}`,
    basic: `Basic realm="${externalUrl}/jwt/auth"`
  }
}
