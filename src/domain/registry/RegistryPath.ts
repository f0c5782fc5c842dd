import { Either } from "effect"

/** A path component of an OCI repository name: lowercase letters and digits, joined by `.`, `_`, `__` or dashes. */
const IMAGE_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
/** A group path segment as GitLab allows it (compared case-insensitively). */
const GROUP_SEGMENT = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
const DIGEST = /^sha256:[a-f0-9]{64}$/

export const DEPENDENCY_PROXY_SEGMENT = "/dependency_proxy/containers/"

export type Reference = { readonly _tag: "Tag"; readonly tag: string } | { readonly _tag: "Digest"; readonly digest: string }

export type RegistryRoute =
  | { readonly _tag: "Base" }
  | { readonly _tag: "Manifest"; readonly groupPath: string; readonly image: string; readonly reference: Reference }
  | { readonly _tag: "Blob"; readonly groupPath: string; readonly image: string; readonly digest: string }
  | { readonly _tag: "Tags"; readonly groupPath: string; readonly image: string }

/** Why a path is not a registry route; each maps to one OCI error code. */
export type RouteError =
  | { readonly _tag: "NameInvalid"; readonly message: string }
  | { readonly _tag: "DigestInvalid"; readonly message: string }
  | { readonly _tag: "ReferenceInvalid"; readonly message: string }
  | { readonly _tag: "RouteUnknown" }

const nameInvalid = (message: string): Either.Either<never, RouteError> => Either.left({ _tag: "NameInvalid", message })

export const isDigest = (value: string): boolean => DIGEST.test(value)

/** A group path of one or more segments, `top/sub/subsub`. */
export const validGroupPath = (path: string): boolean => path.split("/").every((s) => GROUP_SEGMENT.test(s) && !s.includes(".."))

/** An image name of one or more components, `alpine`, `bitnami/nginx`, `library/alpine`. */
export const validImageName = (image: string): boolean => image.length <= 255 && image.split("/").every((c) => IMAGE_COMPONENT.test(c))

/**
 * Parses the path after `/v2`, raw as the client sent it (nothing is percent-decoded). Group segments and
 * image components match grammars without `/`, `\`, `%` or `..`; a tag may contain `..` (OCI allows it) but
 * never `/` and never starts with `.`; a digest is `sha256:` and hex. So no parsed route can name a file
 * outside the data directory, whatever the input (property-tested).
 */
export const parseRegistryPath = (path: string): Either.Either<RegistryRoute, RouteError> => {
  if (path === "" || path === "/") return Either.right({ _tag: "Base" })
  const at = path.indexOf(DEPENDENCY_PROXY_SEGMENT)
  if (!path.startsWith("/") || at <= 1) return Either.left({ _tag: "RouteUnknown" })
  const groupPath = path.slice(1, at)
  const rest = path.slice(at + DEPENDENCY_PROXY_SEGMENT.length)
  const tags = /^(.+)\/tags\/list$/.exec(rest)
  if (tags !== null) {
    const [, image = ""] = tags
    if (!validGroupPath(groupPath)) return nameInvalid(`invalid group path ${JSON.stringify(groupPath)}`)
    if (!validImageName(image)) return nameInvalid(`invalid repository name ${JSON.stringify(image)}`)
    return Either.right({ _tag: "Tags", groupPath, image })
  }
  const match = /^(.+)\/(manifests|blobs)\/([^/]+)$/.exec(rest)
  if (match === null) return Either.left({ _tag: "RouteUnknown" })
  const [, image = "", kind, reference = ""] = match
  if (!validGroupPath(groupPath)) return nameInvalid(`invalid group path ${JSON.stringify(groupPath)}`)
  if (!validImageName(image)) return nameInvalid(`invalid repository name ${JSON.stringify(image)}`)
  if (kind === "blobs") {
    return isDigest(reference)
      ? Either.right({ _tag: "Blob", groupPath, image, digest: reference })
      : Either.left({ _tag: "DigestInvalid", message: `invalid digest ${JSON.stringify(reference)}` })
  }
  if (reference.includes(":")) {
    return isDigest(reference)
      ? Either.right({ _tag: "Manifest", groupPath, image, reference: { _tag: "Digest", digest: reference } })
      : Either.left({ _tag: "DigestInvalid", message: `invalid digest ${JSON.stringify(reference)}` })
  }
  return TAG.test(reference)
    ? Either.right({ _tag: "Manifest", groupPath, image, reference: { _tag: "Tag", tag: reference } })
    : Either.left({ _tag: "ReferenceInvalid", message: `invalid tag ${JSON.stringify(reference)}` })
}

/** The repository name clients use for this image through this group, as in the token `scope`. */
export const repositoryName = (groupPath: string, image: string): string =>
  `${groupPath.toLowerCase()}${DEPENDENCY_PROXY_SEGMENT}${image}`

/** Docker Hub's name for an image: a name without `/` is an official image under `library/`. */
export const upstreamRepository = (image: string): string => (image.includes("/") ? image : `library/${image}`)
