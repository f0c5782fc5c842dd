import { describe, expect, it } from "vitest"
import { AccessLevels } from "../../src/domain/AccessLevel.js"
import { fold } from "../../src/domain/Decider.js"
import type { EncryptedSecret } from "../../src/domain/EncryptedSecret.js"
import type {
  CreateGroup,
  GroupCommand,
  UpdateDependencyProxySettings,
  UpdateGroupDetails,
  UpdateImageTtlPolicy
} from "../../src/domain/group/GroupCommands.js"
import { GroupDecider } from "../../src/domain/group/GroupDecider.js"
import { MAX_MANIFEST_CHECK_INTERVAL_SECONDS } from "../../src/domain/group/proxySettings.js"
import type { GroupCreated, GroupEvent } from "../../src/domain/group/GroupEvents.js"
import { MAX_DEPTH } from "../../src/domain/group/GroupPath.js"
import type { Group } from "../../src/domain/group/GroupState.js"
import { given } from "../support/givenWhenThen.js"

/** When member commands are decided: the last-Owner rule counts the Owners whose membership has not ended by then. */
const NOW = new Date("2026-12-05T12:00:00Z")

const OWNER = 100
const OTHER = 200

const sealed: EncryptedSecret = { keyId: "key-1", iv: "aXY=", ciphertext: "Y3Q=", tag: "dGFn" }

const acmeCreated: typeof GroupCreated.Type = {
  _tag: "GroupCreated",
  groupId: 1,
  path: "acme",
  name: "Acme",
  parentId: null,
  ancestorIds: [],
  fullPath: "acme"
}
const teamCreated: typeof GroupCreated.Type = {
  _tag: "GroupCreated",
  groupId: 2,
  path: "team",
  name: "Team",
  parentId: 1,
  ancestorIds: [1],
  fullPath: "acme/team"
}
const ownerAdded: GroupEvent = { _tag: "MemberAdded", userId: OWNER, accessLevel: AccessLevels.owner }
/** A top-level group as `CreateGroup` leaves it: created, with its creator as sole Owner. */
const acme: ReadonlyArray<GroupEvent> = [acmeCreated, ownerAdded]
const team: ReadonlyArray<GroupEvent> = [teamCreated, ownerAdded]

// Handlers pass the parent as loaded state, so the test folds it from events the same way.
const groupFrom = (events: ReadonlyArray<GroupEvent>): Group => {
  const state = fold(GroupDecider, events)
  if (state === null) throw new Error("the events do not create a group")
  return state
}

const create = (fields: Partial<Omit<CreateGroup, "_tag">> = {}): CreateGroup => ({
  _tag: "CreateGroup",
  groupId: 1,
  path: "acme",
  name: "Acme",
  parent: null,
  ownerUserId: OWNER,
  ...fields
})

const settings = (fields: Partial<Omit<UpdateDependencyProxySettings, "_tag">>): UpdateDependencyProxySettings => ({
  _tag: "UpdateDependencyProxySettings",
  enabled: undefined,
  identity: undefined,
  secret: undefined,
  sealedSecret: null,
  ...fields
})

const ttl = (fields: Partial<Omit<UpdateImageTtlPolicy, "_tag">>): UpdateImageTtlPolicy => ({
  _tag: "UpdateImageTtlPolicy",
  enabled: undefined,
  ttlDays: undefined,
  ...fields
})

describe("GroupDecider", () => {
  describe("CreateGroup", () => {
    it("creates a top-level group whose creator is its first Owner", () => {
      given(GroupDecider).when(create()).then([acmeCreated, ownerAdded])
    })

    it("creates a subgroup under its parent's full path, recording the ancestors root first", () => {
      given(GroupDecider)
        .when(create({ groupId: 2, path: "team", name: "Team", parent: groupFrom(acme) }))
        .then([teamCreated, ownerAdded])
      // One level further down, the ancestors grow by the parent, so the root stays first.
      given(GroupDecider)
        .when(create({ groupId: 3, path: "backend", name: "Backend", parent: groupFrom(team), ownerUserId: OTHER }))
        .then([
          {
            _tag: "GroupCreated",
            groupId: 3,
            path: "backend",
            name: "Backend",
            parentId: 2,
            ancestorIds: [1, 2],
            fullPath: "acme/team/backend"
          },
          { _tag: "MemberAdded", userId: OTHER, accessLevel: AccessLevels.owner }
        ])
    })

    it.each([
      "a",
      "acme",
      "a.b",
      "a_b-c",
      "_private",
      "ends-with-dash-",
      "9lives",
      "Mixed.Case_1",
      "x".repeat(255)
    ])("accepts the path %j", (path) => {
      given(GroupDecider)
        .when(create({ path }))
        .then([{ ...acmeCreated, path, fullPath: path }, ownerAdded])
    })

    it.each([
      ["contains '..'", "a..b"],
      ["is only '..'", ".."],
      ["ends in '.'", "acme."],
      ["ends in '.git'", "acme.git"],
      ["ends in '.git', whatever the case", "acme.GIT"],
      ["ends in '.atom'", "acme.atom"],
      ["starts with '-'", "-acme"],
      ["starts with '.'", ".acme"],
      ["is empty", ""],
      ["contains '/'", "a/b"],
      ["contains a space", "a b"],
      ["contains a non-ASCII letter", "café"],
      ["is longer than 255 characters", "x".repeat(256)]
    ])("rejects a path that %s", (_, path) => {
      given(GroupDecider).when(create({ path })).thenFails("InvalidField", { field: "path" })
    })

    it.each([
      ["is empty", ""],
      ["is only whitespace", "  \t "],
      ["is longer than 255 characters", "n".repeat(256)]
    ])("rejects a name that %s", (_, name) => {
      given(GroupDecider).when(create({ name })).thenFails("InvalidField", { field: "name" })
    })

    it("accepts a name of exactly 255 characters", () => {
      const name = "n".repeat(255)
      given(GroupDecider).when(create({ name })).then([{ ...acmeCreated, name }, ownerAdded])
    })

    // A chain of groups 1..depth, each the parent of the next; the last one is returned as loaded state.
    const deepest = (depth: number): Group => {
      const ids = Array.from({ length: depth }, (_, i) => i + 1)
      return groupFrom([
        {
          _tag: "GroupCreated",
          groupId: depth,
          path: `g${depth}`,
          name: `G${depth}`,
          parentId: depth > 1 ? depth - 1 : null,
          ancestorIds: ids.slice(0, -1),
          fullPath: ids.map((i) => `g${i}`).join("/")
        }
      ])
    }

    it(`allows a subgroup at depth ${MAX_DEPTH}`, () => {
      const ancestorIds = Array.from({ length: MAX_DEPTH - 1 }, (_, i) => i + 1)
      given(GroupDecider)
        .when(create({ groupId: 99, path: "leaf", name: "Leaf", parent: deepest(MAX_DEPTH - 1) }))
        .then([
          {
            _tag: "GroupCreated",
            groupId: 99,
            path: "leaf",
            name: "Leaf",
            parentId: MAX_DEPTH - 1,
            ancestorIds,
            fullPath: [...ancestorIds.map((i) => `g${i}`), "leaf"].join("/")
          },
          ownerAdded
        ])
    })

    it(`refuses a subgroup deeper than ${MAX_DEPTH} levels`, () => {
      given(GroupDecider)
        .when(create({ groupId: 99, path: "leaf", parent: deepest(MAX_DEPTH) }))
        .thenFails("InvalidField", { field: "parent_id" })
    })

    it("refuses to create a group twice", () => {
      given(GroupDecider, acme).when(create()).thenFails("AlreadyExists")
    })
  })

  describe("AddSubgroup", () => {
    it("records the subgroup on the parent's stream and changes nothing of the parent", () => {
      given(GroupDecider, acme).when({ _tag: "AddSubgroup", groupId: 99, path: "sub" }).then([{ _tag: "SubgroupCreated", groupId: 99, path: "sub" }])
      expect(fold(GroupDecider, [...acme, { _tag: "SubgroupCreated", groupId: 99, path: "sub" }])).toEqual(fold(GroupDecider, acme))
    })
  })

  describe("commands on a group that does not exist", () => {
    const commands: ReadonlyArray<GroupCommand> = [
      settings({ enabled: false }),
      ttl({ enabled: true }),
      { _tag: "SetSsoEnforcement", enforced: true },
      { _tag: "SetServeStaleOnNotFound", enabled: true },
      { _tag: "SetManifestCheckInterval", seconds: 60 },
      { _tag: "AddMember", userId: OTHER, accessLevel: AccessLevels.developer },
      { _tag: "ChangeMemberAccessLevel", userId: OWNER, accessLevel: AccessLevels.developer, now: NOW },
      { _tag: "RemoveMember", userId: OWNER, now: NOW },
      // A subgroup under a parent deleted (or never created) is refused on the parent's stream.
      { _tag: "AddSubgroup", groupId: 99, path: "sub" }
    ]
    it.each(commands)("$_tag fails with GroupNotFound", (command) => {
      given(GroupDecider).when(command).thenFails("GroupNotFound")
    })
  })

  describe("UpdateDependencyProxySettings", () => {
    it("disables the proxy, which starts enabled", () => {
      given(GroupDecider, acme)
        .when(settings({ enabled: false }))
        .then([{ _tag: "DependencyProxySettingChanged", enabled: false }])
    })

    it("re-enables a disabled proxy", () => {
      given(GroupDecider, [...acme, { _tag: "DependencyProxySettingChanged", enabled: false }])
        .when(settings({ enabled: true }))
        .then([{ _tag: "DependencyProxySettingChanged", enabled: true }])
    })

    it("records nothing when `enabled` is unchanged or left out", () => {
      given(GroupDecider, acme).when(settings({ enabled: true })).then([])
      given(GroupDecider, [...acme, { _tag: "DependencyProxySettingChanged", enabled: false }])
        .when(settings({ enabled: false }))
        .then([])
      given(GroupDecider, acme).when(settings({})).then([])
    })

    it("sets identity and secret together, recording only the sealed secret", () => {
      given(GroupDecider, acme)
        .when(settings({ identity: "hubuser", secret: "hunter2", sealedSecret: sealed }))
        .then([{ _tag: "DockerHubCredentialsSet", identity: "hubuser", secret: sealed }])
    })

    it("records setting the same credentials again, since a sealed secret cannot be compared", () => {
      const set = settings({ identity: "hubuser", secret: "hunter2", sealedSecret: sealed })
      given(GroupDecider, [...acme, { _tag: "DockerHubCredentialsSet", identity: "hubuser", secret: sealed }])
        .when(set)
        .then([{ _tag: "DockerHubCredentialsSet", identity: "hubuser", secret: sealed }])
    })

    it("records the enabled change before the credentials when both change", () => {
      given(GroupDecider, acme)
        .when(settings({ enabled: false, identity: "hubuser", secret: "hunter2", sealedSecret: sealed }))
        .then([
          { _tag: "DependencyProxySettingChanged", enabled: false },
          { _tag: "DockerHubCredentialsSet", identity: "hubuser", secret: sealed }
        ])
    })

    it.each([
      ["identity without a secret", { identity: "hubuser" }, "secret"],
      ["identity with a null secret", { identity: "hubuser", secret: null }, "secret"],
      ["identity with an empty secret", { identity: "hubuser", secret: "" }, "secret"],
      ["a secret without an identity", { secret: "hunter2" }, "identity"],
      ["a secret with a null identity", { identity: null, secret: "hunter2" }, "identity"],
      ["a secret with an empty identity", { identity: "", secret: "hunter2" }, "identity"]
    ] satisfies ReadonlyArray<readonly [string, Partial<UpdateDependencyProxySettings>, string]>)(
      "rejects %s, naming the missing field",
      (_, fields, field) => {
        given(GroupDecider, acme)
          .when(settings({ ...fields, sealedSecret: sealed }))
          .thenFails("InvalidField", { field })
      }
    )

    it("rejects half of the credentials even when the proxy setting is valid, recording nothing", () => {
      given(GroupDecider, acme)
        .when(settings({ enabled: false, identity: "hubuser", sealedSecret: sealed }))
        .thenFails("InvalidField", { field: "secret" })
    })

    const withCredentials: ReadonlyArray<GroupEvent> = [
      ...acme,
      { _tag: "DockerHubCredentialsSet", identity: "hubuser", secret: sealed }
    ]

    it.each([
      ["null", null],
      ["empty", ""]
    ])("clears the credentials when both are %s", (_, value) => {
      given(GroupDecider, withCredentials)
        .when(settings({ identity: value, secret: value }))
        .then([{ _tag: "DockerHubCredentialsCleared" }])
    })

    it("records nothing when clearing credentials that were never set, or already cleared", () => {
      given(GroupDecider, acme).when(settings({ identity: null, secret: null })).then([])
      given(GroupDecider, [...withCredentials, { _tag: "DockerHubCredentialsCleared" }])
        .when(settings({ identity: "", secret: "" }))
        .then([])
    })

    it("accepts identity and secret of exactly 255 characters", () => {
      const identity = "i".repeat(255)
      given(GroupDecider, acme)
        .when(settings({ identity, secret: "s".repeat(255), sealedSecret: sealed }))
        .then([{ _tag: "DockerHubCredentialsSet", identity, secret: sealed }])
    })

    it("rejects an identity longer than 255 characters", () => {
      given(GroupDecider, acme)
        .when(settings({ identity: "i".repeat(256), secret: "hunter2", sealedSecret: sealed }))
        .thenFails("InvalidField", { field: "identity" })
    })

    it("rejects a secret longer than 255 characters", () => {
      given(GroupDecider, acme)
        .when(settings({ identity: "hubuser", secret: "s".repeat(256), sealedSecret: sealed }))
        .thenFails("InvalidField", { field: "secret" })
    })

    it("rejects credentials whose secret could not be sealed", () => {
      given(GroupDecider, acme)
        .when(settings({ identity: "hubuser", secret: "hunter2", sealedSecret: null }))
        .thenFails("InvalidField", { field: "secret" })
    })
  })

  describe("UpdateImageTtlPolicy", () => {
    it("enables the policy with the default of 90 days when no TTL is given", () => {
      given(GroupDecider, acme)
        .when(ttl({ enabled: true }))
        .then([{ _tag: "ImageTtlPolicyChanged", enabled: true, ttlDays: 90 }])
    })

    it("enables the policy with the given TTL", () => {
      given(GroupDecider, acme)
        .when(ttl({ enabled: true, ttlDays: 30 }))
        .then([{ _tag: "ImageTtlPolicyChanged", enabled: true, ttlDays: 30 }])
    })

    it("changes only the TTL, keeping the policy disabled", () => {
      given(GroupDecider, acme)
        .when(ttl({ ttlDays: 14 }))
        .then([{ _tag: "ImageTtlPolicyChanged", enabled: false, ttlDays: 14 }])
    })

    it("disables the policy keeping its TTL", () => {
      given(GroupDecider, [...acme, { _tag: "ImageTtlPolicyChanged", enabled: true, ttlDays: 30 }])
        .when(ttl({ enabled: false }))
        .then([{ _tag: "ImageTtlPolicyChanged", enabled: false, ttlDays: 30 }])
    })

    it("records nothing when the policy is unchanged", () => {
      given(GroupDecider, acme).when(ttl({})).then([])
      given(GroupDecider, acme).when(ttl({ enabled: false, ttlDays: 90 })).then([])
      given(GroupDecider, [...acme, { _tag: "ImageTtlPolicyChanged", enabled: true, ttlDays: 30 }])
        .when(ttl({ enabled: true }))
        .then([])
    })

    it("accepts the bounds of 1 and 36500 days", () => {
      given(GroupDecider, acme).when(ttl({ ttlDays: 1 })).then([{ _tag: "ImageTtlPolicyChanged", enabled: false, ttlDays: 1 }])
      given(GroupDecider, acme)
        .when(ttl({ ttlDays: 36500 }))
        .then([{ _tag: "ImageTtlPolicyChanged", enabled: false, ttlDays: 36500 }])
    })

    it.each([0, -1, 1.5, 36501, Number.NaN, Number.POSITIVE_INFINITY])("rejects a TTL of %s days", (ttlDays) => {
      given(GroupDecider, acme).when(ttl({ enabled: true, ttlDays })).thenFails("InvalidField", { field: "ttl" })
    })
  })

  describe("SetSsoEnforcement", () => {
    it("enforces and relaxes SSO on a top-level group", () => {
      given(GroupDecider, acme)
        .when({ _tag: "SetSsoEnforcement", enforced: true })
        .then([{ _tag: "SsoEnforcementChanged", enforced: true }])
      given(GroupDecider, [...acme, { _tag: "SsoEnforcementChanged", enforced: true }])
        .when({ _tag: "SetSsoEnforcement", enforced: false })
        .then([{ _tag: "SsoEnforcementChanged", enforced: false }])
    })

    it("records nothing when unchanged", () => {
      given(GroupDecider, acme).when({ _tag: "SetSsoEnforcement", enforced: false }).then([])
    })

    it("is refused on a subgroup, whatever the value", () => {
      given(GroupDecider, team)
        .when({ _tag: "SetSsoEnforcement", enforced: true })
        .thenFails("NotTopLevelGroup", { groupId: 2 })
      given(GroupDecider, team)
        .when({ _tag: "SetSsoEnforcement", enforced: false })
        .thenFails("NotTopLevelGroup", { groupId: 2 })
    })
  })

  describe("SetServeStaleOnNotFound", () => {
    it("turns serving stale manifests on and off", () => {
      given(GroupDecider, acme)
        .when({ _tag: "SetServeStaleOnNotFound", enabled: true })
        .then([{ _tag: "ServeStaleOnNotFoundChanged", enabled: true }])
      given(GroupDecider, [...acme, { _tag: "ServeStaleOnNotFoundChanged", enabled: true }])
        .when({ _tag: "SetServeStaleOnNotFound", enabled: false })
        .then([{ _tag: "ServeStaleOnNotFoundChanged", enabled: false }])
    })

    it("records nothing when unchanged", () => {
      given(GroupDecider, acme).when({ _tag: "SetServeStaleOnNotFound", enabled: false }).then([])
    })

    // Unlike SSO enforcement, this is a per-group setting that subgroups may set for themselves.
    it("can be set on a subgroup", () => {
      given(GroupDecider, team)
        .when({ _tag: "SetServeStaleOnNotFound", enabled: true })
        .then([{ _tag: "ServeStaleOnNotFoundChanged", enabled: true }])
    })
  })

  describe("SetManifestCheckInterval", () => {
    it.each([1, 60, MAX_MANIFEST_CHECK_INTERVAL_SECONDS])("sets an interval of %d seconds", (seconds) => {
      given(GroupDecider, acme)
        .when({ _tag: "SetManifestCheckInterval", seconds })
        .then([{ _tag: "ManifestCheckIntervalChanged", seconds }])
    })

    it("allows going back to 0, which means checking on every pull", () => {
      given(GroupDecider, [...acme, { _tag: "ManifestCheckIntervalChanged", seconds: 60 }])
        .when({ _tag: "SetManifestCheckInterval", seconds: 0 })
        .then([{ _tag: "ManifestCheckIntervalChanged", seconds: 0 }])
    })

    it("records nothing when unchanged", () => {
      given(GroupDecider, acme).when({ _tag: "SetManifestCheckInterval", seconds: 0 }).then([])
    })

    it("has a maximum of one week", () => {
      expect(MAX_MANIFEST_CHECK_INTERVAL_SECONDS).toBe(7 * 24 * 60 * 60)
    })

    it.each([-1, 0.5, MAX_MANIFEST_CHECK_INTERVAL_SECONDS + 1, Number.NaN])("rejects %s seconds", (seconds) => {
      given(GroupDecider, acme)
        .when({ _tag: "SetManifestCheckInterval", seconds })
        .thenFails("InvalidField", { field: "manifest_check_interval" })
    })
  })

  describe("members", () => {
    it("adds a member", () => {
      given(GroupDecider, acme)
        .when({ _tag: "AddMember", userId: OTHER, accessLevel: AccessLevels.developer })
        .then([{ _tag: "MemberAdded", userId: OTHER, accessLevel: AccessLevels.developer }])
    })

    it("refuses to add a member twice, even with another role", () => {
      given(GroupDecider, acme)
        .when({ _tag: "AddMember", userId: OWNER, accessLevel: AccessLevels.guest })
        .thenFails("MemberAlreadyExists", { userId: OWNER })
    })

    it("adds a member again after removal", () => {
      given(GroupDecider, [
        ...acme,
        { _tag: "MemberAdded", userId: OTHER, accessLevel: AccessLevels.developer },
        { _tag: "MemberRemoved", userId: OTHER }
      ])
        .when({ _tag: "AddMember", userId: OTHER, accessLevel: AccessLevels.reporter })
        .then([{ _tag: "MemberAdded", userId: OTHER, accessLevel: AccessLevels.reporter }])
    })

    const withDeveloper: ReadonlyArray<GroupEvent> = [
      ...acme,
      { _tag: "MemberAdded", userId: OTHER, accessLevel: AccessLevels.developer }
    ]

    it("changes a member's role", () => {
      given(GroupDecider, withDeveloper)
        .when({ _tag: "ChangeMemberAccessLevel", userId: OTHER, accessLevel: AccessLevels.maintainer, now: NOW })
        .then([{ _tag: "MemberAccessLevelChanged", userId: OTHER, accessLevel: AccessLevels.maintainer }])
    })

    it("records nothing when the role is unchanged", () => {
      given(GroupDecider, withDeveloper)
        .when({ _tag: "ChangeMemberAccessLevel", userId: OTHER, accessLevel: AccessLevels.developer, now: NOW })
        .then([])
      given(GroupDecider, acme)
        .when({ _tag: "ChangeMemberAccessLevel", userId: OWNER, accessLevel: AccessLevels.owner, now: NOW })
        .then([])
    })

    describe("member expiry (ADR 0022)", () => {
      const now = new Date("2026-12-05T12:00:00Z")
      const nextYear = new Date("2027-12-05T00:00:00Z")

      it("adds a member with an expiry in the same decision, and without one when it is null", () => {
        given(GroupDecider, acme)
          .when({ _tag: "AddMember", userId: OTHER, accessLevel: AccessLevels.developer, expiry: { expiresAt: nextYear, now } })
          .then([
            { _tag: "MemberAdded", userId: OTHER, accessLevel: AccessLevels.developer },
            { _tag: "MemberExpiryChanged", userId: OTHER, expiresAt: nextYear }
          ])
        given(GroupDecider, acme)
          .when({ _tag: "AddMember", userId: OTHER, accessLevel: AccessLevels.developer, expiry: { expiresAt: null, now } })
          .then([{ _tag: "MemberAdded", userId: OTHER, accessLevel: AccessLevels.developer }])
      })

      it("refuses an expiry that is not in the future, naming expires_at", () => {
        given(GroupDecider, acme)
          .when({ _tag: "AddMember", userId: OTHER, accessLevel: AccessLevels.developer, expiry: { expiresAt: new Date("2026-12-05T00:00:00Z"), now } })
          .thenFails("InvalidField", { field: "expires_at" })
        given(GroupDecider, withDeveloper)
          .when({ _tag: "SetMemberExpiry", userId: OTHER, expiry: { expiresAt: now, now } })
          .thenFails("InvalidField", { field: "expires_at" })
      })

      it("sets, keeps and clears a member's expiry; a non-member is MemberNotFound", () => {
        const expiring = [...withDeveloper, { _tag: "MemberExpiryChanged" as const, userId: OTHER, expiresAt: nextYear }]
        given(GroupDecider, withDeveloper)
          .when({ _tag: "SetMemberExpiry", userId: OTHER, expiry: { expiresAt: nextYear, now } })
          .then([{ _tag: "MemberExpiryChanged", userId: OTHER, expiresAt: nextYear }])
        given(GroupDecider, expiring).when({ _tag: "SetMemberExpiry", userId: OTHER, expiry: { expiresAt: new Date(nextYear), now } }).then([])
        given(GroupDecider, expiring)
          .when({ _tag: "SetMemberExpiry", userId: OTHER, expiry: { expiresAt: null, now } })
          .then([{ _tag: "MemberExpiryChanged", userId: OTHER, expiresAt: null }])
        given(GroupDecider, withDeveloper).when({ _tag: "SetMemberExpiry", userId: OTHER, expiry: { expiresAt: null, now } }).then([])
        given(GroupDecider, acme)
          .when({ _tag: "SetMemberExpiry", userId: OTHER, expiry: { expiresAt: nextYear, now } })
          .thenFails("MemberNotFound", { userId: OTHER })
      })

      it("changes a role and an expiry in one decision; a day already begun changes neither", () => {
        given(GroupDecider, withDeveloper)
          .when({ _tag: "ChangeMemberAccessLevel", userId: OTHER, accessLevel: AccessLevels.maintainer, now: NOW, expiry: { expiresAt: nextYear, now } })
          .then([
            { _tag: "MemberAccessLevelChanged", userId: OTHER, accessLevel: AccessLevels.maintainer },
            { _tag: "MemberExpiryChanged", userId: OTHER, expiresAt: nextYear }
          ])
        given(GroupDecider, withDeveloper)
          .when({ _tag: "ChangeMemberAccessLevel", userId: OTHER, accessLevel: AccessLevels.maintainer, now: NOW, expiry: { expiresAt: now, now } })
          .thenFails("InvalidField", { field: "expires_at" })
        // Only the expiry changes when the role is the same; only the role when the expiry is.
        given(GroupDecider, withDeveloper)
          .when({ _tag: "ChangeMemberAccessLevel", userId: OTHER, accessLevel: AccessLevels.developer, now: NOW, expiry: { expiresAt: nextYear, now } })
          .then([{ _tag: "MemberExpiryChanged", userId: OTHER, expiresAt: nextYear }])
        given(GroupDecider, withDeveloper)
          .when({ _tag: "ChangeMemberAccessLevel", userId: OTHER, accessLevel: AccessLevels.guest, now: NOW, expiry: { expiresAt: null, now } })
          .then([{ _tag: "MemberAccessLevelChanged", userId: OTHER, accessLevel: AccessLevels.guest }])
      })

      it("a role change the last-Owner rule refuses sets no expiry either", () => {
        given(GroupDecider, acme)
          .when({ _tag: "ChangeMemberAccessLevel", userId: OWNER, accessLevel: AccessLevels.developer, now: NOW, expiry: { expiresAt: nextYear, now } })
          .thenFails("LastOwner", { groupId: acmeCreated.groupId })
      })

      it("forgets the expiry when the member is removed, so a new membership starts without one", () => {
        const readded = [
          ...withDeveloper,
          { _tag: "MemberExpiryChanged" as const, userId: OTHER, expiresAt: nextYear },
          { _tag: "MemberRemoved" as const, userId: OTHER },
          { _tag: "MemberAdded" as const, userId: OTHER, accessLevel: AccessLevels.guest }
        ]
        given(GroupDecider, readded).when({ _tag: "SetMemberExpiry", userId: OTHER, expiry: { expiresAt: null, now } }).then([])
      })
    })

    it("removes a member who is not the last Owner", () => {
      given(GroupDecider, withDeveloper).when({ _tag: "RemoveMember", userId: OTHER, now: NOW }).then([{ _tag: "MemberRemoved", userId: OTHER }])
    })

    it("fails with MemberNotFound for someone who is not a member", () => {
      given(GroupDecider, acme)
        .when({ _tag: "ChangeMemberAccessLevel", userId: OTHER, accessLevel: AccessLevels.guest, now: NOW })
        .thenFails("MemberNotFound", { userId: OTHER })
      given(GroupDecider, acme).when({ _tag: "RemoveMember", userId: OTHER, now: NOW }).thenFails("MemberNotFound", { userId: OTHER })
      given(GroupDecider, [...withDeveloper, { _tag: "MemberRemoved", userId: OTHER }])
        .when({ _tag: "RemoveMember", userId: OTHER, now: NOW })
        .thenFails("MemberNotFound", { userId: OTHER })
    })

    it("refuses to remove the last Owner of a top-level group", () => {
      given(GroupDecider, withDeveloper).when({ _tag: "RemoveMember", userId: OWNER, now: NOW }).thenFails("LastOwner", { groupId: 1 })
    })

    it.each([AccessLevels.guest, AccessLevels.reporter, AccessLevels.developer, AccessLevels.maintainer])(
      "refuses to demote the last Owner of a top-level group to access level %d",
      (accessLevel) => {
        given(GroupDecider, withDeveloper)
          .when({ _tag: "ChangeMemberAccessLevel", userId: OWNER, accessLevel, now: NOW })
          .thenFails("LastOwner", { groupId: 1 })
      }
    )

    it("an Owner whose membership has ended keeps no group owned: the last Owner still in office is refused demotion and removal", () => {
      const withEndedOwner: ReadonlyArray<GroupEvent> = [
        ...acme,
        { _tag: "MemberAdded", userId: OTHER, accessLevel: AccessLevels.owner },
        { _tag: "MemberExpiryChanged", userId: OTHER, expiresAt: new Date(NOW.getTime() - 1) }
      ]
      given(GroupDecider, withEndedOwner)
        .when({ _tag: "ChangeMemberAccessLevel", userId: OWNER, accessLevel: AccessLevels.maintainer, now: NOW })
        .thenFails("LastOwner", { groupId: 1 })
      given(GroupDecider, withEndedOwner).when({ _tag: "RemoveMember", userId: OWNER, now: NOW }).thenFails("LastOwner", { groupId: 1 })
      // The ended one may go: it was keeping nothing.
      given(GroupDecider, withEndedOwner).when({ _tag: "RemoveMember", userId: OTHER, now: NOW }).then([{ _tag: "MemberRemoved", userId: OTHER }])
    })

    it("an Owner whose membership ends later still counts until then", () => {
      const withEndingOwner: ReadonlyArray<GroupEvent> = [
        ...acme,
        { _tag: "MemberAdded", userId: OTHER, accessLevel: AccessLevels.owner },
        { _tag: "MemberExpiryChanged", userId: OTHER, expiresAt: new Date(NOW.getTime() + 1) }
      ]
      given(GroupDecider, withEndingOwner)
        .when({ _tag: "ChangeMemberAccessLevel", userId: OWNER, accessLevel: AccessLevels.maintainer, now: NOW })
        .then([{ _tag: "MemberAccessLevelChanged", userId: OWNER, accessLevel: AccessLevels.maintainer }])
      given(GroupDecider, withEndingOwner).when({ _tag: "RemoveMember", userId: OWNER, now: NOW }).then([{ _tag: "MemberRemoved", userId: OWNER }])
    })

    it("lets the last Owner of a subgroup go, since the subgroup inherits its ancestors' Owners", () => {
      given(GroupDecider, team).when({ _tag: "RemoveMember", userId: OWNER, now: NOW }).then([{ _tag: "MemberRemoved", userId: OWNER }])
      given(GroupDecider, team)
        .when({ _tag: "ChangeMemberAccessLevel", userId: OWNER, accessLevel: AccessLevels.guest, now: NOW })
        .then([{ _tag: "MemberAccessLevelChanged", userId: OWNER, accessLevel: AccessLevels.guest }])
    })

    const twoOwners: ReadonlyArray<GroupEvent> = [
      ...withDeveloper,
      { _tag: "MemberAccessLevelChanged", userId: OTHER, accessLevel: AccessLevels.owner }
    ]

    it("removes or demotes an Owner when another Owner remains", () => {
      given(GroupDecider, twoOwners).when({ _tag: "RemoveMember", userId: OWNER, now: NOW }).then([{ _tag: "MemberRemoved", userId: OWNER }])
      given(GroupDecider, twoOwners)
        .when({ _tag: "ChangeMemberAccessLevel", userId: OWNER, accessLevel: AccessLevels.maintainer, now: NOW })
        .then([{ _tag: "MemberAccessLevelChanged", userId: OWNER, accessLevel: AccessLevels.maintainer }])
    })

    it("counts Owners as they are now: once one of two has left, the other is the last", () => {
      given(GroupDecider, [...twoOwners, { _tag: "MemberRemoved", userId: OWNER }])
        .when({ _tag: "RemoveMember", userId: OTHER, now: NOW })
        .thenFails("LastOwner", { groupId: 1 })
    })
  })

  describe("UpdateGroupDetails", () => {
    const details = (fields: Partial<Omit<UpdateGroupDetails, "_tag">>): UpdateGroupDetails => ({
      _tag: "UpdateGroupDetails",
      name: undefined,
      description: undefined,
      path: undefined,
      ...fields
    })

    it("renames, and a rename to the same name records nothing", () => {
      given(GroupDecider, acme).when(details({ name: "Acme Corp" })).then([{ _tag: "GroupRenamed", name: "Acme Corp" }])
      given(GroupDecider, [...acme, { _tag: "GroupRenamed", name: "Acme Corp" }]).when(details({ name: "Acme Corp" })).then([])
    })

    it("refuses a blank or overlong name", () => {
      given(GroupDecider, acme).when(details({ name: "  " })).thenFails("InvalidField", { field: "name" })
      given(GroupDecider, acme).when(details({ name: "n".repeat(256) })).thenFails("InvalidField", { field: "name" })
    })

    it("keeps the path and the full path on a rename", () => {
      const renamed = fold(GroupDecider, [...acme, { _tag: "GroupRenamed", name: "Acme Corp" }])
      expect(renamed).toMatchObject({ name: "Acme Corp", path: "acme", fullPath: "acme" })
    })

    it("describes the group, up to 500 characters; the same description records nothing", () => {
      given(GroupDecider, acme).when(details({ description: "Images for CI" }))
        .then([{ _tag: "GroupDescriptionChanged", description: "Images for CI" }])
      given(GroupDecider, [...acme, { _tag: "GroupDescriptionChanged", description: "Images for CI" }])
        .when(details({ description: "Images for CI" })).then([])
      given(GroupDecider, acme).when(details({ description: "d".repeat(501) })).thenFails("InvalidField", { field: "description" })
      expect(fold(GroupDecider, [...acme, { _tag: "GroupDescriptionChanged", description: "x" }])).toMatchObject({ description: "x" })
    })

    it("changes the path, keeping the previous full path for the index", () => {
      given(GroupDecider, acme).when(details({ path: { path: "acme-corp", parentFullPath: null } }))
        .then([{ _tag: "GroupPathChanged", path: "acme-corp", fullPath: "acme-corp", previousFullPath: "acme" }])
      given(GroupDecider, team).when(details({ path: { path: "squad", parentFullPath: "acme" } }))
        .then([{ _tag: "GroupPathChanged", path: "squad", fullPath: "acme/squad", previousFullPath: "acme/team" }])
      given(GroupDecider, acme).when(details({ path: { path: "acme", parentFullPath: null } })).then([])
    })

    it("refuses an invalid or reserved path, and then changes nothing else either", () => {
      given(GroupDecider, acme).when(details({ name: "New", path: { path: "a/b", parentFullPath: null } }))
        .thenFails("InvalidField", { field: "path" })
      given(GroupDecider, acme).when(details({ path: { path: "api", parentFullPath: null } })).thenFails("InvalidField", { field: "path" })
      // A reserved word is only reserved at the top level.
      given(GroupDecider, team).when(details({ path: { path: "api", parentFullPath: "acme" } }))
        .then([{ _tag: "GroupPathChanged", path: "api", fullPath: "acme/api", previousFullPath: "acme/team" }])
    })

    it("applies every detail at once", () => {
      given(GroupDecider, acme).when(details({ name: "Corp", description: "d", path: { path: "corp", parentFullPath: null } })).then([
        { _tag: "GroupRenamed", name: "Corp" },
        { _tag: "GroupDescriptionChanged", description: "d" },
        { _tag: "GroupPathChanged", path: "corp", fullPath: "corp", previousFullPath: "acme" }
      ])
    })
  })

  describe("ChangePath (a descendant follows its ancestor)", () => {
    it("moves the full path under the parent's new one, the own path unchanged", () => {
      given(GroupDecider, team).when({ _tag: "ChangePath", path: "team", parentFullPath: "corp" })
        .then([{ _tag: "GroupPathChanged", path: "team", fullPath: "corp/team", previousFullPath: "acme/team" }])
      expect(fold(GroupDecider, [...team, { _tag: "GroupPathChanged", path: "team", fullPath: "corp/team", previousFullPath: "acme/team" }]))
        .toMatchObject({ path: "team", fullPath: "corp/team" })
    })
  })

  describe("CreateGroup with a description", () => {
    it("records the description after the creation and the first Owner", () => {
      given(GroupDecider, []).when(create({ description: "Mirrors" }))
        .then([acmeCreated, ownerAdded, { _tag: "GroupDescriptionChanged", description: "Mirrors" }])
      given(GroupDecider, []).when(create({ description: "" })).then([acmeCreated, ownerAdded])
    })
  })

  describe("DeleteGroup", () => {
    const withMembers: ReadonlyArray<GroupEvent> = [
      ...acme,
      { _tag: "MemberAdded", userId: OTHER, accessLevel: AccessLevels.developer },
      { _tag: "MemberAdded", userId: 50, accessLevel: AccessLevels.guest }
    ]

    it("removes every member, the sole Owner included, in id order, then deletes the group", () => {
      given(GroupDecider, withMembers).when({ _tag: "DeleteGroup" }).then([
        { _tag: "MemberRemoved", userId: 50 },
        { _tag: "MemberRemoved", userId: OWNER },
        { _tag: "MemberRemoved", userId: OTHER },
        { _tag: "GroupDeleted", fullPath: "acme" }
      ])
    })

    it("deletes a subgroup with no members of its own", () => {
      given(GroupDecider, [teamCreated]).when({ _tag: "DeleteGroup" }).then([{ _tag: "GroupDeleted", fullPath: "acme/team" }])
    })

    it("leaves no group: every later command is GroupNotFound", () => {
      const deleted: ReadonlyArray<GroupEvent> = [...acme, { _tag: "MemberRemoved", userId: OWNER }, { _tag: "GroupDeleted", fullPath: "acme" }]
      expect(fold(GroupDecider, deleted)).toBeNull()
      given(GroupDecider, deleted).when({ _tag: "DeleteGroup" }).thenFails("GroupNotFound")
      given(GroupDecider, deleted).when({ _tag: "AddMember", userId: OTHER, accessLevel: AccessLevels.guest }).thenFails("GroupNotFound")
      given(GroupDecider, deleted).when({ _tag: "SetServeStaleOnNotFound", enabled: true }).thenFails("GroupNotFound")
    })

    it("refuses a group that never existed", () => {
      given(GroupDecider, []).when({ _tag: "DeleteGroup" }).thenFails("GroupNotFound")
    })
  })
})
