import { Effect, Either, FastCheck } from "effect"
import { describe, expect, it } from "vitest"
import { authorizePullRequest, issueRegistryToken } from "../../src/application/auth/registryAccess.js"
import { changeGroup, createGroup, updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { startSsoSession } from "../../src/application/useCases/sso.js"
import { createDeployToken, createGroupAccessToken, createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { createJobToken } from "../../src/application/useCases/jobTokens.js"
import { type IssuedToken } from "../../src/application/useCases/tokenIssuance.js"
import { revokeToken } from "../../src/application/useCases/tokenLifecycle.js"
import { changeUser, createUser } from "../../src/application/useCases/users.js"
import type { AccessLevel } from "../../src/domain/AccessLevel.js"
import { type Outcome, type Role, situationOf, expectedOutcome, type WorldGroup, type WorldPrincipal } from "../domain/auth/authorizationOracle.js"
import { registryHarness, type RegistryHarness, scopeFor } from "../support/registryApp.js"
import { asUser } from "../support/testApp.js"

/**
 * SPEC §3–4 over random worlds, built and exercised only through the application's own use cases: users (admin
 * or not, 2FA or not, blocked or not), a forest of groups, memberships, SSO enforcement and sessions, the
 * instance and group switches, and tokens of every kind minted by random callers. Two independent oracles,
 * written from the spec and importing nothing from `src/`, judge it:
 * - who may mint what (SPEC §4, §7): any minting call that succeeds must be one the oracle allows, and the
 *   other way round;
 * - whether a credential may pull through a group: the credential rules of §3 here, then the decision table of
 *   §4 (`authorizationOracle`). Every pull the service allows must be one the oracles allow, and vice versa.
 * Finding 1 of the outside probe (an Owner minting a job token for root) is one of the worlds this reaches.
 */

// ---------------------------------------------------------------------------------------------------------
// The world, as plain data.

interface WorldUser {
  readonly admin: boolean
  readonly twoFactor: boolean
  readonly blocked: boolean
}

interface GroupSpec {
  /** Index of an earlier group, or null for a top-level group. */
  readonly parent: number | null
  readonly proxyEnabled: boolean
  readonly ssoEnforced: boolean
}

type MintKind = "personal" | "deploy" | "group_access" | "job"

interface Mint {
  readonly kind: MintKind
  /** Index into the users (0 is root). */
  readonly caller: number
  /** For personal and job tokens: whose token. */
  readonly forUser: number
  /** For deploy, group access and job tokens. */
  readonly group: number
  readonly scopes: ReadonlyArray<string>
  readonly level: Role
  /** Revoked by an administrator after it was made. */
  readonly revokedLater: boolean
}

interface WorldSpec {
  readonly users: ReadonlyArray<WorldUser>
  readonly groups: ReadonlyArray<GroupSpec>
  readonly memberships: ReadonlyArray<readonly [user: number, group: number, role: Role]>
  readonly ssoSessions: ReadonlyArray<readonly [user: number, group: number]>
  readonly mints: ReadonlyArray<Mint>
  readonly instanceEnabled: boolean
}

const ROLE: FastCheck.Arbitrary<Role> = FastCheck.constantFrom(10, 20, 30, 40, 50)
const REGISTRY_SCOPES = ["api", "read_api", "read_registry", "write_registry", "read_virtual_registry", "write_virtual_registry"]
const scopesFrom = (all: ReadonlyArray<string>) => FastCheck.subarray([...all], { minLength: 1 })

const worldSpec: FastCheck.Arbitrary<WorldSpec> = FastCheck.record({
  users: FastCheck.array(
    FastCheck.record({
      admin: FastCheck.oneof({ arbitrary: FastCheck.constant(false), weight: 2 }, { arbitrary: FastCheck.constant(true), weight: 1 }),
      twoFactor: FastCheck.oneof({ arbitrary: FastCheck.constant(false), weight: 3 }, { arbitrary: FastCheck.constant(true), weight: 1 }),
      blocked: FastCheck.oneof({ arbitrary: FastCheck.constant(false), weight: 4 }, { arbitrary: FastCheck.constant(true), weight: 1 })
    }),
    { minLength: 2, maxLength: 5 }
  ),
  groupCount: FastCheck.integer({ min: 1, max: 5 })
}).chain(({ users, groupCount }) => {
  const allUsers = [{ admin: true, twoFactor: false, blocked: false }, ...users]
  const userIndex = FastCheck.nat(allUsers.length - 1)
  const groupIndex = FastCheck.nat(groupCount - 1)
  const groups = FastCheck.tuple(
    ...Array.from({ length: groupCount }, (_, i) =>
      FastCheck.record({
        parent: i === 0 ? FastCheck.constant(null) : FastCheck.option(FastCheck.nat(i - 1), { freq: 3 }),
        proxyEnabled: FastCheck.oneof({ arbitrary: FastCheck.constant(true), weight: 5 }, { arbitrary: FastCheck.constant(false), weight: 1 }),
        ssoEnforced: FastCheck.oneof({ arbitrary: FastCheck.constant(false), weight: 3 }, { arbitrary: FastCheck.constant(true), weight: 1 })
      }))
  )
  const mint: FastCheck.Arbitrary<Mint> = FastCheck.oneof(
    FastCheck.record({ kind: FastCheck.constant("personal" as const), scopes: scopesFrom([...REGISTRY_SCOPES, "read_user"]) }),
    FastCheck.record({ kind: FastCheck.constant("deploy" as const), scopes: scopesFrom(["read_registry", "write_registry", "read_virtual_registry", "write_virtual_registry", "read_repository"]) }),
    FastCheck.record({ kind: FastCheck.constant("group_access" as const), scopes: scopesFrom(REGISTRY_SCOPES) }),
    FastCheck.record({ kind: FastCheck.constant("job" as const), scopes: FastCheck.constant(["read_registry"]) })
  ).chain((partial) =>
    FastCheck.record({
      caller: userIndex,
      // Root holds a role in every group, so a token for root is the one worth stealing (and most often possible).
      forUser: FastCheck.oneof({ arbitrary: FastCheck.constant(0), weight: 1 }, { arbitrary: userIndex, weight: 2 }),
      group: groupIndex,
      level: ROLE,
      revokedLater: FastCheck.oneof({ arbitrary: FastCheck.constant(false), weight: 4 }, { arbitrary: FastCheck.constant(true), weight: 1 })
    }).map((rest) => ({ ...partial, ...rest })))
  return FastCheck.record({
    users: FastCheck.constant(allUsers),
    groups,
    // Root (user 0) is an admin and the creator, hence an Owner, of every group; memberships are for the others.
    memberships: FastCheck.uniqueArray(FastCheck.tuple(FastCheck.integer({ min: 1, max: allUsers.length - 1 }), groupIndex, ROLE), {
      minLength: 1,
      maxLength: 10,
      selector: ([u, g]) => `${u}/${g}`
    }),
    ssoSessions: FastCheck.uniqueArray(FastCheck.tuple(userIndex, groupIndex), { maxLength: 4, selector: ([u, g]) => `${u}/${g}` }),
    mints: FastCheck.array(mint, { minLength: 2, maxLength: 12 }),
    instanceEnabled: FastCheck.oneof({ arbitrary: FastCheck.constant(true), weight: 5 }, { arbitrary: FastCheck.constant(false), weight: 1 })
  })
})

/**
 * The outside probe's world, always tried first: Mallory (not an admin) owns a group of her own and mints a
 * job token there for root, who (as every group's creator here) holds a role in it.
 */
const probeWorld: WorldSpec = {
  users: [{ admin: true, twoFactor: false, blocked: false }, { admin: false, twoFactor: false, blocked: false }],
  groups: [
    { parent: null, proxyEnabled: true, ssoEnforced: true },
    { parent: null, proxyEnabled: true, ssoEnforced: false }
  ],
  memberships: [[1, 1, 50]],
  ssoSessions: [],
  mints: [{ kind: "job", caller: 1, forUser: 0, group: 1, scopes: ["read_registry"], level: 10, revokedLater: false }],
  instanceEnabled: true
}

// ---------------------------------------------------------------------------------------------------------
// The oracles, from the spec.

/** The chain of group indexes from `g` up to its top-level group, `g` first. */
const chainOf = (spec: WorldSpec, g: number): ReadonlyArray<number> => {
  const chain = [g]
  let parent = spec.groups[g]?.parent ?? null
  while (parent !== null) {
    chain.push(parent)
    parent = spec.groups[parent]?.parent ?? null
  }
  return chain
}
const rootOf = (spec: WorldSpec, g: number) => chainOf(spec, g).at(-1) ?? g

/** A user's role on a group: the highest over the group and its ancestors; root owns every group. */
const roleOn = (spec: WorldSpec, user: number, g: number): number => {
  if (user === 0) return 50
  const chain = chainOf(spec, g)
  return Math.max(0, ...spec.memberships.filter(([u, mg]) => u === user && chain.includes(mg)).map(([, , role]) => role))
}

/** SPEC §4 and §7: who may mint which token. An admin counts as Owner; a blocked user may do nothing. */
const mayMint = (spec: WorldSpec, mint: Mint): boolean => {
  const caller = spec.users[mint.caller]
  if (caller === undefined || caller.blocked) return false
  const callerRole = caller.admin ? 50 : roleOn(spec, mint.caller, mint.group)
  switch (mint.kind) {
    case "personal":
      return caller.admin || mint.caller === mint.forUser
    case "deploy":
      return callerRole >= 50
    case "group_access":
      return callerRole >= 50 && mint.level <= callerRole
    case "job": {
      const jobUser = spec.users[mint.forUser]
      return caller.admin && jobUser !== undefined && !jobUser.blocked && roleOn(spec, mint.forUser, mint.group) >= 30
    }
  }
}

/** SPEC §3: a token's scopes must include a registry scope, and a virtual-registry scope its plain one. */
const scopesAllowPull = (scopes: ReadonlyArray<string>) =>
  ["api", "read_registry", "write_registry", "read_virtual_registry", "write_virtual_registry"].some((s) => scopes.includes(s)) &&
  (!scopes.includes("read_virtual_registry") || scopes.includes("read_registry")) &&
  (!scopes.includes("write_virtual_registry") || scopes.includes("write_registry"))

/** A credential the world holds, as the oracle sees it. */
type Credential =
  | { readonly kind: "password"; readonly user: number }
  | { readonly kind: "token"; readonly mint: Mint; readonly revoked: boolean }

const worldGroups = (spec: WorldSpec): ReadonlyArray<WorldGroup> =>
  spec.groups.map((g, i) => ({ id: i + 1, parentId: g.parent === null ? null : g.parent + 1, proxyEnabled: g.proxyEnabled, ssoEnforced: g.ssoEnforced }))

const membershipsOf = (spec: WorldSpec, user: number): ReadonlyArray<readonly [number, Role]> =>
  user === 0 ? spec.groups.map((_, i) => [i + 1, 50] as const) : spec.memberships.filter(([u]) => u === user).map(([, g, role]) => [g + 1, role] as const)

/** The principal a valid credential becomes (§3), in the §4 oracle's terms; null when it may not sign in at all. */
const principalOf = (spec: WorldSpec, credential: Credential): WorldPrincipal | null => {
  if (credential.kind === "password") {
    const user = spec.users[credential.user]
    if (user === undefined || user.twoFactor || user.blocked) return null
    return { kind: "user", admin: user.admin, blocked: false, memberships: membershipsOf(spec, credential.user) }
  }
  const { mint } = credential
  if (credential.revoked || !scopesAllowPull(mint.scopes)) return null
  switch (mint.kind) {
    case "deploy":
      return { kind: "deploy", tokenGroupId: mint.group + 1 }
    case "group_access":
      return { kind: "bot", blocked: false, tokenGroupId: mint.group + 1, role: mint.level }
    case "personal":
    case "job": {
      const user = spec.users[mint.forUser]
      if (user === undefined || user.blocked) return null
      const memberships = membershipsOf(spec, mint.forUser)
      return mint.kind === "personal"
        ? { kind: "user", admin: user.admin, blocked: false, memberships }
        : { kind: "job", admin: user.admin, blocked: false, memberships, jobGroupId: mint.group + 1 }
    }
  }
}

/** Both oracles: may this credential pull through group `target` (an index; -1 for a group that does not exist)? */
const oracleAllows = (spec: WorldSpec, credential: Credential, target: number): Outcome | "no_credential" => {
  const principal = principalOf(spec, credential)
  if (principal === null) return "no_credential"
  const groups = worldGroups(spec)
  const user = credential.kind === "password" ? credential.user : credential.mint.forUser
  const targetRoot = target < 0 ? -1 : rootOf(spec, target)
  const ssoActive = spec.ssoSessions.some(([u, g]) => u === user && targetRoot >= 0 && rootOf(spec, g) === targetRoot && spec.groups[g]?.parent === null)
  return expectedOutcome(situationOf({ groups, instanceEnabled: spec.instanceEnabled, targetId: target + 1, principal, ssoActive }))
}

// ---------------------------------------------------------------------------------------------------------
// Building the world through the use cases, and asking the service.

interface Built {
  readonly userIds: ReadonlyArray<number>
  readonly usernames: ReadonlyArray<string>
  readonly groupPaths: ReadonlyArray<string>
  readonly minted: ReadonlyArray<{ readonly mint: Mint; readonly issued: IssuedToken | null; readonly refusal: string | null }>
}

const passwordOf = (i: number) => `password-of-user-${i}`

const build = async (h: RegistryHarness, spec: WorldSpec): Promise<Built> => {
  const userIds: Array<number> = []
  const usernames: Array<string> = []
  for (const [i, user] of spec.users.entries()) {
    const username = i === 0 ? "root" : `user${i}`
    userIds.push(await h.run(createUser({ username, email: `${username}@example.test`, name: username, password: passwordOf(i), admin: user.admin })))
    usernames.push(username)
  }
  const rootId = userIds[0] ?? 0
  const groupIds: Array<number> = []
  const groupPaths: Array<string> = []
  for (const [i, group] of spec.groups.entries()) {
    const parentId = group.parent === null ? null : (groupIds[group.parent] ?? null)
    groupIds.push(await h.run(createGroup({ path: `g${i}`, name: `G${i}`, parentId, ownerUserId: rootId })))
    groupPaths.push(group.parent === null ? `g${i}` : `${groupPaths[group.parent]}/g${i}`)
  }
  const uid = (i: number) => userIds[i] ?? 0
  const gid = (i: number) => groupIds[i] ?? 0
  for (const [i, group] of spec.groups.entries()) {
    if (!group.proxyEnabled) await h.run(updateDependencyProxySettings(gid(i), { enabled: false }))
    if (group.ssoEnforced && group.parent === null) await h.run(changeGroup(gid(i), { _tag: "SetSsoEnforcement", enforced: true }))
  }
  for (const [user, group, role] of spec.memberships) {
    await h.run(changeGroup(gid(group), { _tag: "AddMember", userId: uid(user), accessLevel: role satisfies AccessLevel }))
  }
  for (const [user, group] of spec.ssoSessions) {
    if (spec.groups[group]?.parent === null) await h.run(startSsoSession({ userId: uid(user), groupId: gid(group), expiresAt: null }))
  }
  for (const [i, user] of spec.users.entries()) {
    if (user.twoFactor) await h.run(changeUser(uid(i), { _tag: "SetTwoFactor", enabled: true }))
    if (user.blocked) await h.run(changeUser(uid(i), { _tag: "BlockUser" }))
  }
  const minted: Array<Built["minted"][number]> = []
  for (const mint of spec.mints) {
    const command = (() => {
      switch (mint.kind) {
        case "personal":
          return createPersonalAccessToken({ userId: uid(mint.forUser), name: "p", scopes: mint.scopes, expiresAt: null })
        case "deploy":
          return createDeployToken({ groupId: gid(mint.group), name: "d", username: null, scopes: mint.scopes, expiresAt: null })
        case "group_access":
          return createGroupAccessToken({ groupId: gid(mint.group), name: "g", scopes: mint.scopes, accessLevel: mint.level, expiresAt: null })
        case "job":
          return createJobToken({ userId: uid(mint.forUser), groupId: gid(mint.group) })
      }
    })()
    const outcome = await h.run(Effect.either(command.pipe(asUser(uid(mint.caller)))))
    minted.push(Either.match(outcome, {
      onLeft: (error) => ({ mint, issued: null, refusal: error._tag }),
      onRight: (issued) => ({ mint, issued, refusal: null })
    }))
  }
  for (const { mint, issued } of minted) if (issued !== null && mint.revokedLater) await h.run(revokeToken(issued.tokenId))
  return { userIds, usernames, groupPaths, minted }
}

/** The service's answer: a JWT from `/jwt/auth`'s use case, then the registry's check for the group. */
const serviceAllows = (h: RegistryHarness, username: string, password: string, groupPath: string) =>
  h.run(Effect.gen(function*() {
    const issued = yield* issueRegistryToken({ clientAddress: "192.0.2.1", username, password, scopes: [scopeFor(groupPath, "alpine")] })
    yield* authorizePullRequest({ bearer: issued.token, groupPath, image: "alpine" })
    return true
  }).pipe(Effect.catchAll(() => Effect.succeed(false))))

describe("random worlds through the use cases (SPEC §3–4, §7)", () => {
  it("no minting call succeeds for a caller who may not make it, and every pull allowed is one the oracles allow", async () => {
    let mints = 0
    let refusedMints = 0
    let pulls = 0
    let allowedPulls = 0
    await FastCheck.assert(
      FastCheck.asyncProperty(worldSpec, async (spec) => {
        const h = await registryHarness({ instanceEnabled: spec.instanceEnabled, throttle: { maxFailures: 10_000, maxFailuresPerClient: 10_000 } })
        try {
          const built = await build(h, spec)
          for (const { mint, refusal } of built.minted) {
            mints += 1
            const expected = mayMint(spec, mint)
            expect(refusal === null, `mint ${JSON.stringify(mint)}: refused with ${refusal}`).toBe(expected)
            if (refusal !== null) {
              refusedMints += 1
              expect(refusal).toBe("NotAllowed")
            }
          }
          const credentials: Array<{ readonly credential: Credential; readonly username: string; readonly secret: string }> = [
            ...spec.users.map((_, i) => ({ credential: { kind: "password" as const, user: i }, username: built.usernames[i] ?? "", secret: passwordOf(i) })),
            ...built.minted.flatMap(({ mint, issued }) =>
              issued === null ? [] : [{
                credential: { kind: "token" as const, mint, revoked: mint.revokedLater },
                username: mint.kind === "job" ? "gitlab-ci-token" : issued.username ?? "any-name",
                secret: issued.token
              }])
          ]
          const targets = [...built.groupPaths.map((path, i) => ({ path, index: i })), { path: "no-such-group", index: -1 }]
          for (const { credential, username, secret } of credentials) {
            for (const target of targets) {
              pulls += 1
              const expected = oracleAllows(spec, credential, target.index) === "allowed"
              const actual = await serviceAllows(h, username, secret, target.path)
              if (actual) allowedPulls += 1
              expect(actual, `${JSON.stringify(credential)} through ${target.path}: oracle says ${oracleAllows(spec, credential, target.index)}`).toBe(expected)
            }
          }
        } finally {
          await h.close()
        }
      }),
      { numRuns: 50, examples: [[probeWorld]] }
    )
    // Not vacuous: minting is refused and allowed, pulls are allowed and refused.
    expect(refusedMints).toBeGreaterThan(0)
    expect(refusedMints).toBeLessThan(mints)
    expect(allowedPulls).toBeGreaterThan(0)
    expect(allowedPulls).toBeLessThan(pulls)
  }, 600_000)
})
