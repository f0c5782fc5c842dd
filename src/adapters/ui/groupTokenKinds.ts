import type { TokenKind } from "../../domain/token/TokenKind.js"

/** What differs between the deploy tokens page and the group access tokens page. */
export interface GroupTokenKind {
  readonly kind: Extract<TokenKind, "deploy" | "group_access">
  readonly page: "deploy_tokens" | "access_tokens"
  readonly title: string
  readonly singular: string
  /** The scopes offered: those that matter for the Dependency Proxy (SPEC §3), plus the API for access tokens. */
  readonly scopes: ReadonlyArray<{ readonly scope: string; readonly help: string }>
}

export const DEPLOY_TOKENS: GroupTokenKind = {
  kind: "deploy",
  page: "deploy_tokens",
  title: "Deploy tokens",
  singular: "deploy token",
  scopes: [
    { scope: "read_registry", help: "pull images through the Dependency Proxy" },
    { scope: "write_registry", help: "also accepted by the Dependency Proxy (in GitLab: push to the container registry)" }
  ]
}

export const GROUP_ACCESS_TOKENS: GroupTokenKind = {
  kind: "group_access",
  page: "access_tokens",
  title: "Group access tokens",
  singular: "group access token",
  scopes: [
    { scope: "read_registry", help: "pull images through the Dependency Proxy" },
    { scope: "write_registry", help: "also accepted by the Dependency Proxy" },
    { scope: "read_api", help: "read the API" },
    { scope: "api", help: "complete API and registry access" }
  ]
}
