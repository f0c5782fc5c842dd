/** `host:port` of the external URL, the port always written out (CI variables and prefixes need it). */
export const serverOf = (externalUrl: string): string => {
  const url = new URL(externalUrl)
  const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80"
  return `${url.hostname}:${port}`
}

/** What a user types before the image name: `<host>:<port>/<group full path, lowercased>/dependency_proxy/containers`. */
export const imagePrefix = (externalUrl: string, groupFullPath: string): string =>
  `${serverOf(externalUrl)}/${groupFullPath.toLowerCase()}/dependency_proxy/containers`

/** The CI variables a job gets for the dependency proxy (SPEC §7). */
export const ciVariables = (externalUrl: string, jobToken: string, group: { readonly fullPath: string }) => {
  const topLevel = group.fullPath.split("/")[0] ?? group.fullPath
  return {
    CI_DEPENDENCY_PROXY_USER: "gitlab-ci-token",
    CI_DEPENDENCY_PROXY_PASSWORD: jobToken,
    CI_DEPENDENCY_PROXY_SERVER: serverOf(externalUrl),
    CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: imagePrefix(externalUrl, topLevel),
    CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX: imagePrefix(externalUrl, group.fullPath)
  }
}
