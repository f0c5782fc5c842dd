import { it } from "@effect/vitest"
import { FastCheck } from "effect"
import { describe, expect } from "vitest"
import type { AccessLevel } from "../../../src/domain/AccessLevel.js"
import {
  authorizePull,
  effectiveAccessLevel,
  type PullContext,
  type PullDecision,
  type PullTarget
} from "../../../src/domain/auth/authorizePull.js"
import type { Principal } from "../../../src/domain/auth/Principal.js"
import {
  allSituations,
  chainUpFrom,
  expectedForWorld,
  expectedOutcome,
  type Outcome,
  PULL_RULES,
  relationOf,
  type Role,
  ROLES,
  rowsMatching,
  type Situation,
  situationOf,
  type World,
  type WorldGroup,
  type WorldPrincipal
} from "./authorizationOracle.js"

/** The code's decision in the oracle's vocabulary. */
const outcomeOf = (decision: PullDecision): Outcome => (decision._tag === "Allowed" ? "allowed" : decision.reason)

// ---------------------------------------------------------------------------------------------------------
// A fixed hierarchy for the examples (proxy and SSO settings are chosen per test, in `targetFor`):
//
//   top (1)                        other (5)
//   ├── sub (2)                    └── otherSub (6)
//   │   └── subsub (3)
//   └── sibling (4)
const top = 1
const sub = 2
const subsub = 3
const sibling = 4
const other = 5
const otherSub = 6

const fixedGroups: ReadonlyArray<WorldGroup> = [
  { id: top, parentId: null, proxyEnabled: true, ssoEnforced: false },
  { id: sub, parentId: top, proxyEnabled: true, ssoEnforced: false },
  { id: subsub, parentId: sub, proxyEnabled: true, ssoEnforced: false },
  { id: sibling, parentId: top, proxyEnabled: true, ssoEnforced: false },
  { id: other, parentId: null, proxyEnabled: true, ssoEnforced: false },
  { id: otherSub, parentId: other, proxyEnabled: true, ssoEnforced: false }
]

const ancestorsOf: Record<number, ReadonlyArray<number>> = {
  [top]: [],
  [sub]: [top],
  [subsub]: [top, sub],
  [sibling]: [top],
  [other]: [],
  [otherSub]: [other]
}

const targetFor = (groupId: number, options: { proxyEnabled?: boolean; ssoEnforced?: boolean } = {}): PullTarget => ({
  groupId,
  ancestorIds: ancestorsOf[groupId] ?? [],
  proxyEnabled: options.proxyEnabled ?? true,
  ssoEnforced: options.ssoEnforced ?? false
})

const contextFor = (
  group: PullTarget | null,
  options: { memberships?: ReadonlyArray<readonly [number, AccessLevel]>; ssoSessionActive?: boolean; instanceEnabled?: boolean } = {}
): PullContext => ({
  instanceEnabled: options.instanceEnabled ?? true,
  group,
  memberships: new Map(options.memberships ?? []),
  ssoSessionActive: options.ssoSessionActive ?? false
})

const user = (options: { admin?: boolean; blocked?: boolean; reach?: number } = {}): Principal => ({
  _tag: "UserPrincipal",
  userId: 7,
  admin: options.admin ?? false,
  blocked: options.blocked ?? false,
  reach: options.reach ?? null
})
const bot = (blocked = false): Principal => ({ _tag: "GroupTokenPrincipal", botUserId: 99, blocked })
const deployToken = (groupId: number): Principal => ({ _tag: "DeployTokenPrincipal", groupId })

const decide = (principal: Principal, context: PullContext): Outcome => outcomeOf(authorizePull(principal, context))

describe("authorizePull", () => {
  describe("switches, checked before the principal", () => {
    it("denies when the instance switch is off, whatever else holds", () => {
      expect(decide(user({ admin: true }), contextFor(targetFor(sub), { instanceEnabled: false }))).toBe("instance_disabled")
      // The instance switch outranks a missing group and a disabled proxy.
      expect(decide(user(), contextFor(null, { instanceEnabled: false }))).toBe("instance_disabled")
      expect(decide(deployToken(top), contextFor(targetFor(sub, { proxyEnabled: false }), { instanceEnabled: false }))).toBe(
        "instance_disabled"
      )
    })

    it("denies a group that does not exist before looking at anything else", () => {
      expect(decide(user({ admin: true }), contextFor(null))).toBe("group_not_found")
      expect(decide(user({ blocked: true }), contextFor(null))).toBe("group_not_found")
      expect(decide(deployToken(top), contextFor(null))).toBe("group_not_found")
    })

    it("denies a group whose dependency proxy is off, even to an admin or an owner", () => {
      const off = targetFor(sub, { proxyEnabled: false })
      expect(decide(user({ admin: true }), contextFor(off))).toBe("proxy_disabled")
      expect(decide(user(), contextFor(off, { memberships: [[sub, 50]] }))).toBe("proxy_disabled")
      expect(decide(bot(), contextFor(off, { memberships: [[sub, 50]] }))).toBe("proxy_disabled")
      expect(decide(deployToken(sub), contextFor(off))).toBe("proxy_disabled")
      // The proxy switch outranks blocking too: the reasons are checked in the spec's order.
      expect(decide(user({ blocked: true }), contextFor(off))).toBe("proxy_disabled")
    })
  })

  describe("users: membership inherited down three levels", () => {
    it.each(ROLES)("a member of the top-level group with role %i may pull through top, sub and subsub", (role) => {
      for (const g of [top, sub, subsub, sibling]) {
        expect(decide(user(), contextFor(targetFor(g), { memberships: [[top, role]] }))).toBe("allowed")
      }
    })

    it.each(ROLES)("a member of sub with role %i may pull through sub and subsub, not through top or sibling", (role) => {
      const memberships: ReadonlyArray<readonly [number, AccessLevel]> = [[sub, role]]
      expect(decide(user(), contextFor(targetFor(sub), { memberships }))).toBe("allowed")
      expect(decide(user(), contextFor(targetFor(subsub), { memberships }))).toBe("allowed")
      expect(decide(user(), contextFor(targetFor(top), { memberships }))).toBe("not_a_member")
      expect(decide(user(), contextFor(targetFor(sibling), { memberships }))).toBe("not_a_member")
    })

    it("a membership in subsub grants neither sub nor top (inheritance only flows down)", () => {
      const memberships: ReadonlyArray<readonly [number, AccessLevel]> = [[subsub, 50]]
      expect(decide(user(), contextFor(targetFor(subsub), { memberships }))).toBe("allowed")
      expect(decide(user(), contextFor(targetFor(sub), { memberships }))).toBe("not_a_member")
      expect(decide(user(), contextFor(targetFor(top), { memberships }))).toBe("not_a_member")
    })

    it("a membership in an unrelated group or a sibling grants nothing", () => {
      expect(decide(user(), contextFor(targetFor(sub), { memberships: [[other, 50]] }))).toBe("not_a_member")
      expect(decide(user(), contextFor(targetFor(sub), { memberships: [[otherSub, 50]] }))).toBe("not_a_member")
      expect(decide(user(), contextFor(targetFor(sub), { memberships: [[sibling, 50]] }))).toBe("not_a_member")
      expect(decide(user(), contextFor(targetFor(sub)))).toBe("not_a_member")
    })

    it("the highest role over the group and its ancestors counts, and roles below the group do not", () => {
      const memberships = new Map<number, AccessLevel>([
        [top, 10],
        [sub, 30],
        [subsub, 50],
        [other, 40]
      ])
      expect(effectiveAccessLevel(memberships, targetFor(sub))).toBe(30)
      expect(effectiveAccessLevel(memberships, targetFor(subsub))).toBe(50)
      expect(effectiveAccessLevel(memberships, targetFor(top))).toBe(10)
      expect(effectiveAccessLevel(memberships, targetFor(sibling))).toBe(10)
      // A lower role deeper down does not hide a higher inherited one.
      expect(effectiveAccessLevel(new Map<number, AccessLevel>([[top, 50], [subsub, 10]]), targetFor(subsub))).toBe(50)
      expect(effectiveAccessLevel(new Map(), targetFor(subsub))).toBe(0)
      expect(effectiveAccessLevel(new Map<number, AccessLevel>([[subsub, 50]]), targetFor(top))).toBe(0)
    })
  })

  describe("users: admins and blocking", () => {
    it("lets an instance admin pull with no membership and no SSO session", () => {
      expect(decide(user({ admin: true }), contextFor(targetFor(subsub)))).toBe("allowed")
      expect(decide(user({ admin: true }), contextFor(targetFor(subsub, { ssoEnforced: true })))).toBe("allowed")
    })

    it("denies a blocked user, whatever their role, and a blocked admin", () => {
      for (const role of ROLES) {
        expect(decide(user({ blocked: true }), contextFor(targetFor(sub), { memberships: [[sub, role]] }))).toBe("blocked")
      }
      expect(decide(user({ blocked: true, admin: true }), contextFor(targetFor(sub)))).toBe("blocked")
      expect(decide(user({ blocked: true }), contextFor(targetFor(sub)))).toBe("blocked")
    })
  })

  describe("users: SSO enforced on the top-level group", () => {
    const enforced = targetFor(subsub, { ssoEnforced: true })
    const notEnforced = targetFor(subsub, { ssoEnforced: false })

    it("requires an active session of a member when enforced", () => {
      expect(decide(user(), contextFor(enforced, { memberships: [[top, 30]], ssoSessionActive: true }))).toBe("allowed")
      expect(decide(user(), contextFor(enforced, { memberships: [[top, 30]], ssoSessionActive: false }))).toBe("sso_session_required")
      // An Owner is no exception.
      expect(decide(user(), contextFor(enforced, { memberships: [[subsub, 50]] }))).toBe("sso_session_required")
    })

    it("does not look at sessions when not enforced", () => {
      expect(decide(user(), contextFor(notEnforced, { memberships: [[top, 30]], ssoSessionActive: false }))).toBe("allowed")
      expect(decide(user(), contextFor(notEnforced, { memberships: [[top, 30]], ssoSessionActive: true }))).toBe("allowed")
    })

    it("does not let a session stand in for membership", () => {
      // SSO is required *in addition to* membership; a non-member is a non-member with or without a session.
      expect(decide(user(), contextFor(enforced, { ssoSessionActive: true }))).toBe("not_a_member")
      expect(decide(user(), contextFor(enforced, { ssoSessionActive: false }))).toBe("not_a_member")
    })
  })

  describe("CI job tokens: the job's user, inside the job's top-level group's tree", () => {
    it("reach every group of the tree the user may read, and nothing outside it, not even for an admin", () => {
      expect(decide(user({ reach: top }), contextFor(targetFor(subsub), { memberships: [[top, 30]] }))).toBe("allowed")
      expect(decide(user({ reach: top }), contextFor(targetFor(sibling), { memberships: [[top, 30]] }))).toBe("allowed")
      expect(decide(user({ reach: top }), contextFor(targetFor(otherSub), { memberships: [[other, 50]] }))).toBe("outside_job_reach")
      expect(decide(user({ reach: top, admin: true }), contextFor(targetFor(other)))).toBe("outside_job_reach")
      expect(decide(user({ reach: top, admin: true }), contextFor(targetFor(sub)))).toBe("allowed")
    })

    it("inside the tree, follow the user's rules: membership, blocking and SSO", () => {
      expect(decide(user({ reach: top }), contextFor(targetFor(sibling), { memberships: [[sub, 30]] }))).toBe("not_a_member")
      expect(decide(user({ reach: top, blocked: true }), contextFor(targetFor(sub), { memberships: [[top, 30]] }))).toBe("blocked")
      expect(decide(user({ reach: top }), contextFor(targetFor(sub, { ssoEnforced: true }), { memberships: [[top, 30]] }))).toBe(
        "sso_session_required"
      )
    })
  })

  describe("deploy tokens", () => {
    it("open their own group and its descendants", () => {
      expect(decide(deployToken(top), contextFor(targetFor(top)))).toBe("allowed")
      expect(decide(deployToken(top), contextFor(targetFor(sub)))).toBe("allowed")
      expect(decide(deployToken(top), contextFor(targetFor(subsub)))).toBe("allowed")
      expect(decide(deployToken(sub), contextFor(targetFor(subsub)))).toBe("allowed")
    })

    it("do not open a sibling, a parent, or another top-level group", () => {
      expect(decide(deployToken(sibling), contextFor(targetFor(sub)))).toBe("not_a_member")
      expect(decide(deployToken(subsub), contextFor(targetFor(sub)))).toBe("not_a_member")
      expect(decide(deployToken(sub), contextFor(targetFor(top)))).toBe("not_a_member")
      expect(decide(deployToken(other), contextFor(targetFor(sub)))).toBe("not_a_member")
    })

    it("are exempt from SSO and are not opened by anyone's memberships", () => {
      expect(decide(deployToken(top), contextFor(targetFor(sub, { ssoEnforced: true }), { ssoSessionActive: false }))).toBe("allowed")
      // Memberships in the context belong to users and bots; they must not widen a deploy token's reach.
      expect(decide(deployToken(sibling), contextFor(targetFor(sub), { memberships: [[sub, 50], [top, 50]] }))).toBe("not_a_member")
    })
  })

  describe("group access tokens (bots)", () => {
    it("open the token's group and its descendants with any role", () => {
      for (const role of ROLES) {
        expect(decide(bot(), contextFor(targetFor(sub), { memberships: [[sub, role]] }))).toBe("allowed")
        expect(decide(bot(), contextFor(targetFor(subsub), { memberships: [[sub, role]] }))).toBe("allowed")
      }
    })

    it("do not open the token group's parent or siblings", () => {
      expect(decide(bot(), contextFor(targetFor(top), { memberships: [[sub, 50]] }))).toBe("not_a_member")
      expect(decide(bot(), contextFor(targetFor(sibling), { memberships: [[sub, 50]] }))).toBe("not_a_member")
      expect(decide(bot(), contextFor(targetFor(sub)))).toBe("not_a_member")
    })

    it("are exempt from SSO but not from blocking", () => {
      expect(decide(bot(), contextFor(targetFor(sub, { ssoEnforced: true }), { memberships: [[sub, 10]], ssoSessionActive: false }))).toBe(
        "allowed"
      )
      expect(decide(bot(true), contextFor(targetFor(sub), { memberships: [[sub, 50]] }))).toBe("blocked")
    })
  })
})

// ---------------------------------------------------------------------------------------------------------
// The oracle.

/**
 * The code's inputs for one situation of the decision table, played on the fixed hierarchy and pulling
 * through `sub`: its parent `top` stands for "ancestor", `subsub` for "descendant", `sibling` for "unrelated".
 */
const inputsForSituation = (s: Situation): { principal: Principal; context: PullContext } => {
  const groupFor = { direct: sub, ancestor: top, descendant: subsub, unrelated: sibling } as const
  const standingGroup = s.relation === "none" ? undefined : groupFor[s.relation]
  const group = s.groupExists ? targetFor(sub, { proxyEnabled: s.proxyEnabled, ssoEnforced: s.ssoEnforced }) : null
  const memberships: Array<readonly [number, AccessLevel]> = standingGroup !== undefined && s.role !== null ? [[standingGroup, s.role]] : []
  const context = (entries: ReadonlyArray<readonly [number, AccessLevel]>): PullContext =>
    contextFor(group, { memberships: entries, ssoSessionActive: s.ssoActive, instanceEnabled: s.instanceEnabled })
  switch (s.kind) {
    case "user":
      return { principal: user({ admin: s.admin ?? false, blocked: s.blocked ?? false }), context: context(memberships) }
    case "job":
      // `sub`'s tree is `top`'s; a job of `other` is a job of another tree.
      return {
        principal: user({ admin: s.admin ?? false, blocked: s.blocked ?? false, reach: s.withinJobReach === true ? top : other }),
        context: context(memberships)
      }
    case "bot":
      return { principal: bot(s.blocked ?? false), context: context(memberships) }
    case "deploy":
      // Deploy tokens have no memberships: an empty map is what the application passes for them.
      return { principal: deployToken(standingGroup ?? 999), context: context([]) }
  }
}

/** The code's inputs for a world: the translation an application would do from its read model. */
const inputsFor = (world: World): { principal: Principal; context: PullContext } => {
  const chain = chainUpFrom(world.groups, world.targetId)
  const target = chain[0]
  const topLevel = chain[chain.length - 1]
  const group: PullTarget | null =
    target === undefined || topLevel === undefined
      ? null
      : {
          groupId: target.id,
          ancestorIds: chain.slice(1).map((g) => g.id).reverse(),
          proxyEnabled: target.proxyEnabled,
          ssoEnforced: topLevel.ssoEnforced
        }
  const p = world.principal
  switch (p.kind) {
    case "user":
      return {
        principal: { _tag: "UserPrincipal", userId: 7, admin: p.admin, blocked: p.blocked, reach: null },
        context: { instanceEnabled: world.instanceEnabled, group, memberships: new Map(p.memberships), ssoSessionActive: world.ssoActive }
      }
    case "job": {
      // The application's translation: a job token's reach is the top-level group of the token's group.
      const reach = chainUpFrom(world.groups, p.jobGroupId).at(-1)?.id ?? p.jobGroupId
      return {
        principal: { _tag: "UserPrincipal", userId: 7, admin: p.admin, blocked: p.blocked, reach },
        context: { instanceEnabled: world.instanceEnabled, group, memberships: new Map(p.memberships), ssoSessionActive: world.ssoActive }
      }
    }
    case "bot":
      return {
        principal: { _tag: "GroupTokenPrincipal", botUserId: 99, blocked: p.blocked },
        context: {
          instanceEnabled: world.instanceEnabled,
          group,
          memberships: new Map([[p.tokenGroupId, p.role]]),
          ssoSessionActive: world.ssoActive
        }
      }
    case "deploy":
      return {
        principal: { _tag: "DeployTokenPrincipal", groupId: p.tokenGroupId },
        // A deploy token has no memberships of its own; an empty map is what the application passes.
        context: { instanceEnabled: world.instanceEnabled, group, memberships: new Map(), ssoSessionActive: world.ssoActive }
      }
  }
}

describe("the decision table", () => {
  const situations = allSituations()

  it("has exactly one row for every situation, so no row depends on its position", () => {
    const faulty = situations.filter((s) => rowsMatching(s).length !== 1)
    expect(faulty.slice(0, 5)).toEqual([])
    // Users: blocked × admin × 21 standings × 32 flag combinations; jobs: the same × inside or outside their
    // reach; bots: blocked × 21 × 32; deploy: 4 × 32.
    expect(situations.length).toBe(2 * 2 * 21 * 32 + 2 * 2 * 2 * 21 * 32 + 2 * 21 * 32 + 4 * 32)
  })

  it("uses every row", () => {
    const used = new Set(situations.flatMap((s) => rowsMatching(s)))
    expect(PULL_RULES.filter((rule) => !used.has(rule))).toEqual([])
  })

  it("agrees with authorizePull on every situation, played on a three-level hierarchy", () => {
    const disagreements = situations.flatMap((s) => {
      const { principal, context } = inputsForSituation(s)
      const expected = expectedOutcome(s)
      const actual = outcomeOf(authorizePull(principal, context))
      return actual === expected ? [] : [{ situation: s, expected, actual }]
    })
    expect(disagreements.slice(0, 5)).toEqual([])
  })
})

describe("the oracle's reduction of a world to a situation", () => {
  // The property below trusts situationOf as much as the table, so it gets its own examples.
  it("places groups relative to the target by walking parents", () => {
    expect(relationOf(fixedGroups, sub, sub)).toBe("direct")
    expect(relationOf(fixedGroups, top, subsub)).toBe("ancestor")
    expect(relationOf(fixedGroups, sub, subsub)).toBe("ancestor")
    expect(relationOf(fixedGroups, subsub, top)).toBe("descendant")
    expect(relationOf(fixedGroups, sibling, subsub)).toBe("unrelated")
    expect(relationOf(fixedGroups, otherSub, sub)).toBe("unrelated")
    expect(relationOf(fixedGroups, 999, sub)).toBe("unrelated")
  })

  it("lets the strongest granting membership decide, and reads SSO from the top-level group", () => {
    const groups = fixedGroups.map((g) => (g.id === top ? { ...g, ssoEnforced: true } : g))
    const base = { groups, instanceEnabled: true, targetId: sub, ssoActive: false }
    const member = (memberships: ReadonlyArray<readonly [number, Role]>): World => ({
      ...base,
      principal: { kind: "user", admin: false, blocked: false, memberships }
    })
    expect(situationOf(member([[subsub, 50], [top, 20], [sub, 10]]))).toMatchObject({ relation: "ancestor", role: 20, ssoEnforced: true })
    expect(situationOf(member([[subsub, 50], [other, 40]]))).toMatchObject({ relation: "descendant", role: 50 })
    expect(situationOf(member([[other, 40]]))).toMatchObject({ relation: "unrelated" })
    expect(situationOf(member([]))).toMatchObject({ relation: "none", role: null })
    expect(situationOf({ ...base, targetId: otherSub, principal: { kind: "deploy", tokenGroupId: other } })).toMatchObject({
      relation: "ancestor",
      ssoEnforced: false
    })
    expect(situationOf({ ...base, targetId: 999, principal: { kind: "deploy", tokenGroupId: other } })).toMatchObject({ groupExists: false })
  })
})

// ---------------------------------------------------------------------------------------------------------
// Arbitrary hierarchies.

const role: FastCheck.Arbitrary<Role> = FastCheck.constantFrom(...ROLES)
/** Mostly on, so that the interesting rows behind the switches are reached often. */
const mostlyTrue = FastCheck.oneof({ arbitrary: FastCheck.constant(true), weight: 5 }, { arbitrary: FastCheck.constant(false), weight: 1 })

/**
 * A forest of 1–8 groups with distinct, non-consecutive ids (so that an index mixed up with an id shows):
 * group i's parent is an earlier group or none, which makes every such forest acyclic.
 */
const forest: FastCheck.Arbitrary<ReadonlyArray<WorldGroup>> = FastCheck.integer({ min: 1, max: 8 }).chain((n) =>
  FastCheck.tuple(
    FastCheck.uniqueArray(FastCheck.integer({ min: 1, max: 500 }), { minLength: n, maxLength: n }),
    FastCheck.tuple(
      ...Array.from({ length: n }, (_, i): FastCheck.Arbitrary<number | null> =>
        i === 0 ? FastCheck.constant(null) : FastCheck.option(FastCheck.nat(i - 1), { freq: 4 })
      )
    ),
    FastCheck.array(mostlyTrue, { minLength: n, maxLength: n }),
    FastCheck.array(FastCheck.boolean(), { minLength: n, maxLength: n })
  ).map(([ids, parents, proxy, sso]) =>
    ids.map((id, i) => {
      const parentIndex = parents[i]
      const parentId = parentIndex === null || parentIndex === undefined ? null : (ids[parentIndex] ?? null)
      return { id, parentId, proxyEnabled: proxy[i] ?? true, ssoEnforced: sso[i] ?? false }
    })
  )
)

/** A group of the forest, or now and then an id no group has (a deleted group, a stale token). */
const groupIdIn = (groups: ReadonlyArray<WorldGroup>): FastCheck.Arbitrary<number> =>
  FastCheck.oneof({ arbitrary: FastCheck.constantFrom(...groups.map((g) => g.id)), weight: 8 }, { arbitrary: FastCheck.constant(1000), weight: 1 })

const world: FastCheck.Arbitrary<World> = forest.chain((groups) => {
  const principal: FastCheck.Arbitrary<WorldPrincipal> = FastCheck.oneof(
    FastCheck.record({
      kind: FastCheck.constant("user" as const),
      admin: FastCheck.boolean(),
      blocked: FastCheck.oneof({ arbitrary: FastCheck.constant(false), weight: 3 }, { arbitrary: FastCheck.constant(true), weight: 1 }),
      memberships: FastCheck.uniqueArray(FastCheck.tuple(groupIdIn(groups), role), { maxLength: 4, selector: ([id]) => id })
    }),
    FastCheck.record({
      kind: FastCheck.constant("job" as const),
      admin: FastCheck.boolean(),
      blocked: FastCheck.oneof({ arbitrary: FastCheck.constant(false), weight: 3 }, { arbitrary: FastCheck.constant(true), weight: 1 }),
      memberships: FastCheck.uniqueArray(FastCheck.tuple(groupIdIn(groups), role), { maxLength: 4, selector: ([id]) => id }),
      jobGroupId: FastCheck.constantFrom(...groups.map((g) => g.id))
    }),
    FastCheck.record({
      kind: FastCheck.constant("bot" as const),
      blocked: FastCheck.oneof({ arbitrary: FastCheck.constant(false), weight: 3 }, { arbitrary: FastCheck.constant(true), weight: 1 }),
      tokenGroupId: groupIdIn(groups),
      role
    }),
    FastCheck.record({ kind: FastCheck.constant("deploy" as const), tokenGroupId: groupIdIn(groups) })
  )
  return FastCheck.record({
    groups: FastCheck.constant(groups),
    instanceEnabled: mostlyTrue,
    targetId: groupIdIn(groups),
    principal,
    ssoActive: FastCheck.boolean()
  })
})

describe("authorizePull over arbitrary hierarchies", () => {
  it.prop(
    "agrees with the oracle (allowed, or denied for the same reason)",
    [world],
    ([w]) => {
      const { principal, context } = inputsFor(w)
      expect(outcomeOf(authorizePull(principal, context))).toBe(expectedForWorld(w))
    },
    { fastCheck: { numRuns: 3000 } }
  )

  it("the generator reaches every outcome and every kind of standing, so the property is not vacuous", () => {
    const samples = FastCheck.sample(world, { numRuns: 3000, seed: 42 }).map(situationOf)
    const outcomes = new Set(samples.map(expectedOutcome))
    const standings = new Set(samples.map((s) => `${s.kind}:${s.relation}`))
    expect([...outcomes].sort()).toEqual(
      [
        "allowed",
        "blocked",
        "group_not_found",
        "instance_disabled",
        "not_a_member",
        "outside_job_reach",
        "proxy_disabled",
        "sso_session_required"
      ].sort()
    )
    for (const kind of ["user", "job", "bot"]) {
      for (const relation of ["none", "direct", "ancestor", "descendant", "unrelated"]) {
        // A bot always holds its token's membership, so it never stands nowhere.
        if (kind === "bot" && relation === "none") continue
        expect(standings).toContain(`${kind}:${relation}`)
      }
    }
    for (const relation of ["direct", "ancestor", "descendant", "unrelated"]) expect(standings).toContain(`deploy:${relation}`)
  })
})
