/**
 * An independent oracle for "may this principal pull through group G?" (SPEC §4), written from the spec and
 * not from `authorizePull`. It has two parts:
 *
 * - `PULL_RULES`, a decision table written as data: each row names the situations it covers (a column left
 *   out, or given as a list, matches several values) and the outcome the spec requires. The rows are meant to
 *   be disjoint and to cover every situation; `rowsMatching` and the test that walks `allSituations()` hold
 *   them to that, so no row's meaning depends on its position in the table.
 * - `situationOf`, which reduces a concrete world (a group tree, a principal, its memberships, the flags) to
 *   the table's columns by walking the tree's parent links.
 *
 * It imports nothing from src/ on purpose: sharing a type or a helper with the code would let a misreading
 * of the spec pass on both sides.
 */

/** `job`: a user acting through a CI job token, which reaches only its job's top-level group's tree (SPEC §7). */
export type PrincipalKind = "user" | "job" | "bot" | "deploy"

/**
 * Where the principal's standing sits relative to the pulled group G. For users and bots: where their
 * strongest membership is. For deploy tokens: where the token's group is.
 * - `none`: no membership at all (users and bots only);
 * - `direct`: on G itself;
 * - `ancestor`: on a group above G (G's parent, its parent, … up to the top-level group);
 * - `descendant`: only below G (a subgroup, sub-subgroup, …);
 * - `unrelated`: only on groups that are neither (siblings, cousins, other top-level groups, deleted groups).
 */
export type Relation = "none" | "direct" | "ancestor" | "descendant" | "unrelated"

/** GitLab's roles by access level: Guest, Reporter, Developer, Maintainer, Owner. */
export type Role = 10 | 20 | 30 | 40 | 50
export const ROLES: ReadonlyArray<Role> = [10, 20, 30, 40, 50]

export type Outcome =
  | "allowed"
  | "instance_disabled"
  | "group_not_found"
  | "proxy_disabled"
  | "blocked"
  | "not_a_member"
  | "sso_session_required"
  | "outside_job_reach"

/** One point of the decision space: every column the spec's rule can look at. */
export interface Situation {
  readonly kind: PrincipalKind
  /** null for deploy tokens, which cannot be blocked. */
  readonly blocked: boolean | null
  /** null for bots and deploy tokens, which are never instance admins. */
  readonly admin: boolean | null
  /** Jobs only: G is in the tree of the job's top-level group. null for every other principal. */
  readonly withinJobReach: boolean | null
  readonly relation: Relation
  /** The role of the membership that `relation` describes; null without one (no membership, deploy tokens). */
  readonly role: Role | null
  /** SAML SSO enforced on G's top-level group. */
  readonly ssoEnforced: boolean
  /** The principal has an active SSO session with G's top-level group. */
  readonly ssoActive: boolean
  /** `DEPENDENCY_PROXY_ENABLED`. */
  readonly instanceEnabled: boolean
  readonly groupExists: boolean
  /** G's own dependency proxy setting. */
  readonly proxyEnabled: boolean
}

type Column = keyof Situation
/** A cell: one value, or a list of values any of which matches. A column absent from a row matches anything. */
type Pattern = { readonly [K in Column]?: Situation[K] | ReadonlyArray<Situation[K]> }
export interface Rule {
  readonly when: Pattern
  readonly then: Outcome
}

// The three switches that must all be on before any principal is considered.
const open = { instanceEnabled: true, groupExists: true, proxyEnabled: true } as const
const covering: ReadonlyArray<Relation> = ["direct", "ancestor"]
const notCovering: ReadonlyArray<Relation> = ["none", "descendant", "unrelated"]
const people: ReadonlyArray<PrincipalKind> = ["user", "job"]
/** A user, or a job pulling inside its reach: from here on both follow the user's rules. */
const reachable = { kind: people, withinJobReach: [null, true] } as const

/**
 * SPEC §4 as a table. Reading guide: a user or bot needs a membership of at least Guest on G or above it
 * (a membership only below G, or beside it, grants nothing); a deploy token's group must be G or above it.
 * SSO binds only non-admin users. Where the spec leaves the order of two denials open (a non-member user of
 * an SSO-enforced group without a session), the table answers `not_a_member`: the spec states the session as
 * something a user needs *also*, on top of membership.
 */
export const PULL_RULES: ReadonlyArray<Rule> = [
  // The switches, in the order the spec checks them.
  { when: { instanceEnabled: false }, then: "instance_disabled" },
  { when: { instanceEnabled: true, groupExists: false }, then: "group_not_found" },
  { when: { instanceEnabled: true, groupExists: true, proxyEnabled: false }, then: "proxy_disabled" },

  // Users (password, personal access token) and CI jobs (the job's user, inside the job's tree).
  { when: { ...open, kind: people, blocked: true }, then: "blocked" },
  { when: { ...open, kind: "job", blocked: false, withinJobReach: false }, then: "outside_job_reach" },
  { when: { ...open, ...reachable, blocked: false, admin: true }, then: "allowed" },
  { when: { ...open, ...reachable, blocked: false, admin: false, relation: notCovering }, then: "not_a_member" },
  { when: { ...open, ...reachable, blocked: false, admin: false, relation: covering, role: ROLES, ssoEnforced: false }, then: "allowed" },
  { when: { ...open, ...reachable, blocked: false, admin: false, relation: covering, role: ROLES, ssoEnforced: true, ssoActive: true }, then: "allowed" },
  { when: { ...open, ...reachable, blocked: false, admin: false, relation: covering, role: ROLES, ssoEnforced: true, ssoActive: false }, then: "sso_session_required" },

  // Group access tokens (their bot user), exempt from SSO.
  { when: { ...open, kind: "bot", blocked: true }, then: "blocked" },
  { when: { ...open, kind: "bot", blocked: false, relation: covering, role: ROLES }, then: "allowed" },
  { when: { ...open, kind: "bot", blocked: false, relation: notCovering }, then: "not_a_member" },

  // Deploy tokens, exempt from SSO and from blocking.
  { when: { ...open, kind: "deploy", relation: covering }, then: "allowed" },
  { when: { ...open, kind: "deploy", relation: ["descendant", "unrelated"] }, then: "not_a_member" }
]

const cellMatches = <A>(cell: A | ReadonlyArray<A> | undefined, value: A): boolean => {
  if (cell === undefined) return true
  if (Array.isArray(cell)) return cell.includes(value)
  return cell === value
}

const rowMatches = (pattern: Pattern, s: Situation): boolean =>
  cellMatches(pattern.kind, s.kind) &&
  cellMatches(pattern.blocked, s.blocked) &&
  cellMatches(pattern.admin, s.admin) &&
  cellMatches(pattern.withinJobReach, s.withinJobReach) &&
  cellMatches(pattern.relation, s.relation) &&
  cellMatches(pattern.role, s.role) &&
  cellMatches(pattern.ssoEnforced, s.ssoEnforced) &&
  cellMatches(pattern.ssoActive, s.ssoActive) &&
  cellMatches(pattern.instanceEnabled, s.instanceEnabled) &&
  cellMatches(pattern.groupExists, s.groupExists) &&
  cellMatches(pattern.proxyEnabled, s.proxyEnabled)

/** Every row covering `s`; a well-formed table yields exactly one. */
export const rowsMatching = (s: Situation): ReadonlyArray<Rule> => PULL_RULES.filter((rule) => rowMatches(rule.when, s))

/** The spec's outcome for `s`; throws when the table is ambiguous or silent about it, which is a bug in the table. */
export const expectedOutcome = (s: Situation): Outcome => {
  const rows = rowsMatching(s)
  const [row] = rows
  if (rows.length !== 1 || row === undefined) {
    throw new Error(`the decision table has ${rows.length} rows for ${JSON.stringify(s)}`)
  }
  return row.then
}

const booleans: ReadonlyArray<boolean> = [false, true]

/**
 * The whole decision space: every combination of the columns that can occur for each kind of principal.
 * (A role exists exactly when there is a membership; deploy tokens have neither a role nor a blocked flag.)
 */
export const allSituations = (): ReadonlyArray<Situation> => {
  const out: Array<Situation> = []
  const standings = (kind: PrincipalKind): ReadonlyArray<{ relation: Relation; role: Role | null }> =>
    kind === "deploy"
      ? (["direct", "ancestor", "descendant", "unrelated"] as const).map((relation) => ({ relation, role: null }))
      : [
          { relation: "none", role: null },
          ...(["direct", "ancestor", "descendant", "unrelated"] as const).flatMap((relation) =>
            ROLES.map((role) => ({ relation, role }))
          )
        ]
  for (const kind of ["user", "job", "bot", "deploy"] as const) {
    const blockedValues = kind === "deploy" ? [null] : booleans
    const adminValues = kind === "user" || kind === "job" ? booleans : [null]
    const reachValues = kind === "job" ? booleans : [null]
    for (const blocked of blockedValues)
      for (const admin of adminValues)
        for (const withinJobReach of reachValues)
        for (const { relation, role } of standings(kind))
          for (const ssoEnforced of booleans)
            for (const ssoActive of booleans)
              for (const instanceEnabled of booleans)
                for (const groupExists of booleans)
                  for (const proxyEnabled of booleans)
                    out.push({ kind, blocked, admin, withinJobReach, relation, role, ssoEnforced, ssoActive, instanceEnabled, groupExists, proxyEnabled })
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Concrete worlds, reduced to situations.

export interface WorldGroup {
  readonly id: number
  /** null for a top-level group. */
  readonly parentId: number | null
  readonly proxyEnabled: boolean
  /** Meaningful on top-level groups only: SSO enforcement is a top-level group's setting. */
  readonly ssoEnforced: boolean
}

export type WorldPrincipal =
  | { readonly kind: "user"; readonly admin: boolean; readonly blocked: boolean; readonly memberships: ReadonlyArray<readonly [groupId: number, role: Role]> }
  | {
    readonly kind: "job"
    readonly admin: boolean
    readonly blocked: boolean
    readonly memberships: ReadonlyArray<readonly [groupId: number, role: Role]>
    /** The group the job token was made for. */
    readonly jobGroupId: number
  }
  | { readonly kind: "bot"; readonly blocked: boolean; readonly tokenGroupId: number; readonly role: Role }
  | { readonly kind: "deploy"; readonly tokenGroupId: number }

export interface World {
  readonly groups: ReadonlyArray<WorldGroup>
  readonly instanceEnabled: boolean
  /** The group pulled through; may name no group in `groups`. */
  readonly targetId: number
  readonly principal: WorldPrincipal
  readonly ssoActive: boolean
}

/** The chain from `id` up to its top-level group, `id` first; empty when there is no such group. */
export const chainUpFrom = (groups: ReadonlyArray<WorldGroup>, id: number): ReadonlyArray<WorldGroup> => {
  const chain: Array<WorldGroup> = []
  let current = groups.find((g) => g.id === id)
  while (current !== undefined) {
    chain.push(current)
    // A guard against malformed (cyclic) input rather than a rule: a tree has no chain longer than itself.
    if (chain.length > groups.length) throw new Error("the group tree has a cycle")
    const parentId = current.parentId
    current = parentId === null ? undefined : groups.find((g) => g.id === parentId)
  }
  return chain
}

/** Where `groupId` sits relative to `targetId` in the tree. */
export const relationOf = (groups: ReadonlyArray<WorldGroup>, groupId: number, targetId: number): Exclude<Relation, "none"> => {
  if (groupId === targetId) return "direct"
  if (chainUpFrom(groups, targetId).some((g) => g.id === groupId)) return "ancestor"
  if (chainUpFrom(groups, groupId).some((g) => g.id === targetId)) return "descendant"
  return "unrelated"
}

/**
 * A set of memberships reduced to one standing: "the highest role over G and its ancestors counts", so any
 * membership on G or above decides (with the highest such role); otherwise the membership grants nothing, and
 * the standing records only where the nearest kind of non-granting membership is (for readable failures).
 */
const standingOf = (
  groups: ReadonlyArray<WorldGroup>,
  memberships: ReadonlyArray<readonly [number, Role]>,
  targetId: number
): { relation: Relation; role: Role | null } => {
  const placed = memberships.map(([groupId, role]) => ({ relation: relationOf(groups, groupId, targetId), role }))
  const granting = placed.filter((m) => m.relation === "direct" || m.relation === "ancestor")
  const best = granting.reduce<{ relation: Relation; role: Role } | undefined>(
    (acc, m) => (acc === undefined || m.role > acc.role ? m : acc),
    undefined
  )
  if (best !== undefined) return best
  const below = placed.find((m) => m.relation === "descendant")
  if (below !== undefined) return below
  const beside = placed.find((m) => m.relation === "unrelated")
  if (beside !== undefined) return beside
  return { relation: "none", role: null }
}

export const situationOf = (world: World): Situation => {
  const chain = chainUpFrom(world.groups, world.targetId)
  const target = chain[0]
  const topLevel = chain[chain.length - 1]
  const base = {
    ssoEnforced: topLevel?.ssoEnforced ?? false,
    ssoActive: world.ssoActive,
    instanceEnabled: world.instanceEnabled,
    groupExists: target !== undefined,
    proxyEnabled: target?.proxyEnabled ?? false
  }
  const p = world.principal
  switch (p.kind) {
    case "user":
      return { ...base, kind: "user", blocked: p.blocked, admin: p.admin, withinJobReach: null, ...standingOf(world.groups, p.memberships, world.targetId) }
    case "job": {
      const jobRoot = chainUpFrom(world.groups, p.jobGroupId).at(-1)
      const withinJobReach = topLevel !== undefined && jobRoot !== undefined && jobRoot.id === topLevel.id
      return { ...base, kind: "job", blocked: p.blocked, admin: p.admin, withinJobReach, ...standingOf(world.groups, p.memberships, world.targetId) }
    }
    case "bot":
      return { ...base, kind: "bot", blocked: p.blocked, admin: null, withinJobReach: null, ...standingOf(world.groups, [[p.tokenGroupId, p.role]], world.targetId) }
    case "deploy":
      return {
        ...base,
        kind: "deploy",
        blocked: null,
        admin: null,
        withinJobReach: null,
        relation: relationOf(world.groups, p.tokenGroupId, world.targetId),
        role: null
      }
  }
}

export const expectedForWorld = (world: World): Outcome => expectedOutcome(situationOf(world))
