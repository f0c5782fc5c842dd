/**
 * Who may do what on the fake Docker Hub. Pure, so the rules can be read and tested apart from HTTP.
 * Like auth.docker.io, an anonymous or under-privileged request still gets a token, only with fewer
 * actions; the registry then answers 401/403. Only wrong credentials are refused at the token endpoint.
 */

export type Action = "pull" | "push"

/** An exact repository name, or a prefix when it ends with "/" (e.g. "private/"). */
export type RepositoryPattern = string

export interface PrivateRepository {
  readonly match: RepositoryPattern
  /** Users allowed to pull; omitted means every configured user. */
  readonly readers?: ReadonlyArray<string>
}

export interface AccessPolicy {
  readonly users: Readonly<Record<string, string>>
  readonly privateRepos: ReadonlyArray<RepositoryPattern | PrivateRepository>
  /** The only user that may push (the fixture's image builders use it). */
  readonly pusher: string
}

export interface RequestedScope {
  readonly type: string
  readonly name: string
  readonly actions: ReadonlyArray<string>
}

export interface GrantedAccess {
  readonly type: "repository"
  readonly name: string
  readonly actions: ReadonlyArray<Action>
}

/**
 * `repository:library/alpine:pull,push`. The name may itself hold a ":" only with a registry host and port
 * (`repository:host:5000/x:pull`), so the actions are what follows the last colon.
 */
export const parseScope = (scope: string): RequestedScope | undefined => {
  const first = scope.indexOf(":")
  const last = scope.lastIndexOf(":")
  if (first < 0 || last === first) return undefined
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(",").filter((action) => action !== "")
  }
}

const matches = (pattern: RepositoryPattern, name: string): boolean =>
  pattern.endsWith("/") ? name.startsWith(pattern) : name === pattern

export const isPrivate = (policy: AccessPolicy, name: string): boolean =>
  policy.privateRepos.some((entry) => matches(typeof entry === "string" ? entry : entry.match, name))

const mayPull = (policy: AccessPolicy, user: string | null, name: string): boolean => {
  const rules = policy.privateRepos
    .map((entry) => (typeof entry === "string" ? { match: entry } : entry))
    .filter((entry) => matches(entry.match, name))
  if (rules.length === 0) return true
  if (user === null) return false
  // The pusher seeds every repository, and pushing needs pull as well (clients ask for "pull,push").
  if (user === policy.pusher) return true
  return rules.every((rule) => rule.readers === undefined || rule.readers.includes(user))
}

export type Authentication = { readonly _tag: "Anonymous" } | { readonly _tag: "User"; readonly username: string } | { readonly _tag: "Rejected" }

export const authenticate = (policy: AccessPolicy, basic: { readonly username: string; readonly password: string } | undefined): Authentication => {
  if (basic === undefined) return { _tag: "Anonymous" }
  const expected = policy.users[basic.username]
  return expected !== undefined && expected === basic.password ? { _tag: "User", username: basic.username } : { _tag: "Rejected" }
}

/** The actions granted for one requested scope; non-repository scopes (e.g. `registry:catalog:*`) get nothing. */
export const grant = (policy: AccessPolicy, user: string | null, scope: RequestedScope): GrantedAccess | undefined => {
  if (scope.type !== "repository") return undefined
  const actions: Array<Action> = []
  if (scope.actions.includes("pull") && mayPull(policy, user, scope.name)) actions.push("pull")
  if (scope.actions.includes("push") && user !== null && user === policy.pusher) actions.push("push")
  return { type: "repository", name: scope.name, actions }
}
