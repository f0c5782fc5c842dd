/**
 * A path segment, percent-encoded except for `:` and `@`, which RFC 3986 allows in segments and which
 * registries expect verbatim in digests (`sha256:…`).
 */
const segment = (text: string): string => encodeURIComponent(text).replace(/%3A/gi, ":").replace(/%40/g, "@")

/** The repository keeps its slashes (`library/alpine`); each name component is encoded. */
const repositoryPath = (repository: string): string => repository.split("/").map(segment).join("/")

/** The registry's URL for an API path, under the base URL's own path if it has one. */
export const registryUrl = (base: URL, path: string): URL => new URL(`${base.pathname.replace(/\/+$/, "")}${path}`, base)

export const manifestPath = (repository: string, reference: string): string =>
  `/v2/${repositoryPath(repository)}/manifests/${segment(reference)}`

export const blobPath = (repository: string, digest: string): string => `/v2/${repositoryPath(repository)}/blobs/${segment(digest)}`

export const tagsPath = (repository: string): string => `/v2/${repositoryPath(repository)}/tags/list`
