import { DEPENDENCY_PROXY_SEGMENT, validGroupPath, validImageName } from "./RegistryPath.js"

/** A `scope` parameter of `/jwt/auth` that names a dependency proxy repository. */
export interface RepositoryScope {
  readonly name: string
  readonly groupPath: string
  readonly image: string
  readonly actions: ReadonlyArray<string>
}

/**
 * Parses `repository:<group>/dependency_proxy/containers/<image>:<actions>`. Several scopes may come in one
 * parameter separated by spaces, or in repeated parameters. Scopes of other shapes are ignored, as
 * distribution's token servers do: the token then grants nothing for them.
 */
export const parseScopes = (values: ReadonlyArray<string>): ReadonlyArray<RepositoryScope> =>
  values
    .flatMap((value) => value.split(" "))
    .flatMap((scope) => {
      const match = /^repository:([^:]+):([a-z,*]+)$/.exec(scope)
      if (match === null) return []
      const [, name = "", actions = ""] = match
      const at = name.indexOf(DEPENDENCY_PROXY_SEGMENT)
      if (at <= 0) return []
      const groupPath = name.slice(0, at)
      const image = name.slice(at + DEPENDENCY_PROXY_SEGMENT.length)
      if (!validGroupPath(groupPath) || !validImageName(image)) return []
      return [{ name, groupPath, image, actions: actions.split(",").filter((a) => a !== "") }]
    })
