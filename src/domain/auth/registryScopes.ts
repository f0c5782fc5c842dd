/** Scopes that open the dependency proxy to a token (SPEC §3). */
export const REGISTRY_SCOPES = ["api", "read_registry", "write_registry", "read_virtual_registry", "write_virtual_registry"] as const

export type ScopeCheck = { readonly _tag: "Allowed" } | { readonly _tag: "MissingScope"; readonly message: string }

/**
 * A token needs at least one of the registry scopes; a virtual-registry scope counts only with its plain
 * registry counterpart (GitLab 17.x's rule, so a virtual-registry token alone cannot read the proxy).
 */
export const checkRegistryScopes = (scopes: ReadonlyArray<string>): ScopeCheck => {
  const has = (scope: string) => scopes.includes(scope)
  if (has("read_virtual_registry") && !has("read_registry")) {
    return { _tag: "MissingScope", message: "a token with read_virtual_registry also needs read_registry" }
  }
  if (has("write_virtual_registry") && !has("write_registry")) {
    return { _tag: "MissingScope", message: "a token with write_virtual_registry also needs write_registry" }
  }
  return REGISTRY_SCOPES.some(has)
    ? { _tag: "Allowed" }
    : { _tag: "MissingScope", message: `the token needs one of the scopes ${REGISTRY_SCOPES.join(", ")}` }
}
