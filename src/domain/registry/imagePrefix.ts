/** `host:port` of the external URL, the port always written out (the CI variables' form, SPEC §7). */
export const serverOf = (externalUrl: string): string => {
  const url = new URL(externalUrl)
  const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80"
  return `${url.hostname}:${port}`
}

/**
 * The registry host as a person types it after `docker login <host>`: the scheme's default port left out
 * (`URL` already drops `:443` on https and `:80` on http), because Docker keys stored credentials by the exact
 * host string, and `host:443/…` would be pulled without the ones saved for `host` (as GitLab shows it).
 */
export const registryHostOf = (externalUrl: string): string => new URL(externalUrl).host

const containersPath = (groupFullPath: string): string => `${groupFullPath.toLowerCase()}/dependency_proxy/containers`

/**
 * What a user types before the image name, as every surface shows it (UI, REST, GraphQL):
 * `<host>[:<port unless the default>]/<group full path, lowercased>/dependency_proxy/containers`.
 */
export const imagePrefix = (externalUrl: string, groupFullPath: string): string =>
  `${registryHostOf(externalUrl)}/${containersPath(groupFullPath)}`

/** The CI variables' form of the prefix: the port always written out, as `CI_DEPENDENCY_PROXY_SERVER`. */
const ciImagePrefix = (externalUrl: string, groupFullPath: string): string => `${serverOf(externalUrl)}/${containersPath(groupFullPath)}`

/** The CI variables a job gets for the dependency proxy (SPEC §7). */
export const ciVariables = (externalUrl: string, jobToken: string, group: { readonly fullPath: string }) => {
  const topLevel = group.fullPath.split("/")[0] ?? group.fullPath
  return {
    CI_DEPENDENCY_PROXY_USER: "gitlab-ci-token",
    CI_DEPENDENCY_PROXY_PASSWORD: jobToken,
    CI_DEPENDENCY_PROXY_SERVER: serverOf(externalUrl),
    CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: ciImagePrefix(externalUrl, topLevel),
    CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX: ciImagePrefix(externalUrl, group.fullPath)
  }
}
