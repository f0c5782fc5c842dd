import { describe, expect, it } from "vitest"
import { AccessLevels } from "../../src/domain/AccessLevel.js"
import { fold } from "../../src/domain/Decider.js"
import { type CreateToken, TokenDecider, type TokenCommand } from "../../src/domain/token/TokenDecider.js"
import type { TokenCreated, TokenEvent } from "../../src/domain/token/TokenEvents.js"
import { allowedScopes, JOB_TOKEN_SCOPES, tokenPrefix } from "../../src/domain/token/TokenKind.js"
import { given } from "../support/givenWhenThen.js"

const now = new Date("2025-01-01T12:00:00.000Z")
const tomorrow = new Date("2025-01-02T12:00:00.000Z")
const DIGEST = "ab".repeat(32)

// One valid command per kind, each with exactly the fields its kind requires.
const personal: CreateToken = {
  _tag: "CreateToken",
  tokenId: 1,
  kind: "personal",
  name: "laptop",
  digest: DIGEST,
  scopes: ["read_registry"],
  expiresAt: tomorrow,
  userId: 7,
  groupId: null,
  username: null,
  accessLevel: null,
  now,
  maxLifetimeMs: null
}
const deploy: CreateToken = {
  ...personal,
  kind: "deploy",
  name: "ci pull",
  scopes: ["read_registry", "read_package_registry"],
  userId: null,
  groupId: 3,
  username: "gitlab+deploy-token-1"
}
const groupAccess: CreateToken = {
  ...personal,
  kind: "group_access",
  name: "automation",
  scopes: ["read_api", "read_registry"],
  userId: 8,
  groupId: 3,
  accessLevel: AccessLevels.developer
}
const job: CreateToken = { ...personal, kind: "job", name: "job 42", scopes: ["read_registry"], expiresAt: null, groupId: 3 }

/** The event a valid command records: its fields, less the `now` that only served for validation. */
const createdFrom = ({ _tag, now: _now, maxLifetimeMs: _limit, ...fields }: CreateToken): typeof TokenCreated.Type => ({
  ...fields,
  _tag: "TokenCreated"
})

const personalToken: ReadonlyArray<TokenEvent> = [createdFrom(personal)]

describe("TokenDecider", () => {
  describe("CreateToken", () => {
    it.each([personal, deploy, groupAccess, job])("creates a $kind token", (command) => {
      given(TokenDecider).when(command).then([createdFrom(command)])
    })

    it("holds a token to its lifetime limit: an expiry is required, and no later than now plus the limit", () => {
      const day = 24 * 3600 * 1000
      const limited = { ...job, maxLifetimeMs: day }
      given(TokenDecider).when({ ...limited, expiresAt: new Date(now.getTime() + day) }).then([
        createdFrom({ ...limited, expiresAt: new Date(now.getTime() + day) })
      ])
      given(TokenDecider).when({ ...limited, expiresAt: new Date(now.getTime() + day + 1) }).thenFails("InvalidField", {
        field: "expires_at",
        message: "must be at most 24 hours from now"
      })
      given(TokenDecider).when({ ...limited, expiresAt: null }).thenFails("InvalidField")
      given(TokenDecider).when({ ...personal, maxLifetimeMs: 365 * day, expiresAt: new Date(now.getTime() + 366 * day) }).thenFails(
        "InvalidField",
        { message: "must be at most 365 days from now" }
      )
    })

    it("creates a token that never expires", () => {
      given(TokenDecider).when({ ...personal, expiresAt: null }).then([{ ...createdFrom(personal), expiresAt: null }])
    })

    it("records each scope once", () => {
      given(TokenDecider)
        .when({ ...personal, scopes: ["api", "read_registry", "api"] })
        .then([{ ...createdFrom(personal), scopes: ["api", "read_registry"] }])
    })

    it("accepts every scope listed for each kind", () => {
      given(TokenDecider)
        .when({ ...personal, scopes: allowedScopes.personal })
        .then([{ ...createdFrom(personal), scopes: [...allowedScopes.personal] }])
      given(TokenDecider)
        .when({ ...deploy, scopes: allowedScopes.deploy })
        .then([{ ...createdFrom(deploy), scopes: [...allowedScopes.deploy] }])
      given(TokenDecider)
        .when({ ...groupAccess, scopes: allowedScopes.group_access })
        .then([{ ...createdFrom(groupAccess), scopes: [...allowedScopes.group_access] }])
      given(TokenDecider).when({ ...job, scopes: JOB_TOKEN_SCOPES }).then([createdFrom(job)])
    })

    it.each([
      ["a personal token", { ...personal, scopes: ["read_package_registry"] }],
      ["a deploy token", { ...deploy, scopes: ["api"] }],
      ["a group access token", { ...groupAccess, scopes: ["sudo"] }],
      ["a job token", { ...job, scopes: ["write_registry"] }],
      ["any token", { ...personal, scopes: ["read_registry", "no_such_scope"] }]
    ])("rejects a scope not allowed for %s", (_, command) => {
      given(TokenDecider).when(command).thenFails("InvalidField", { field: "scopes" })
    })

    it("rejects empty scopes", () => {
      given(TokenDecider).when({ ...personal, scopes: [] }).thenFails("InvalidField", { field: "scopes" })
    })

    it.each([
      ["is empty", ""],
      ["is only whitespace", "   "],
      ["is longer than 255 characters", "n".repeat(256)]
    ])("rejects a name that %s", (_, name) => {
      given(TokenDecider).when({ ...personal, name }).thenFails("InvalidField", { field: "name" })
    })

    it.each([
      ["in the past", new Date(now.getTime() - 1)],
      ["now", now],
      ["that is not a date", new Date("garbage")]
    ])("rejects an expiry %s", (_, expiresAt) => {
      given(TokenDecider).when({ ...personal, expiresAt }).thenFails("InvalidField", { field: "expires_at" })
    })

    it("accepts an expiry a millisecond from now", () => {
      const expiresAt = new Date(now.getTime() + 1)
      given(TokenDecider).when({ ...personal, expiresAt }).then([{ ...createdFrom(personal), expiresAt }])
    })

    it.each([
      ["user_id", "a personal token", { ...personal, userId: null }],
      ["user_id", "a group access token", { ...groupAccess, userId: null }],
      ["user_id", "a job token", { ...job, userId: null }],
      ["group_id", "a deploy token", { ...deploy, groupId: null }],
      ["group_id", "a group access token", { ...groupAccess, groupId: null }],
      ["group_id", "a job token", { ...job, groupId: null }],
      ["access_level", "a group access token", { ...groupAccess, accessLevel: null }]
    ])("requires %s for %s", (field, _, command) => {
      given(TokenDecider).when(command).thenFails("InvalidField", { field })
    })

    it.each(["deploy", "gitlab+deploy-token-1", "a.b_c-d+e", "d".repeat(255)])("accepts the deploy username %j", (username) => {
      given(TokenDecider).when({ ...deploy, username }).then([{ ...createdFrom(deploy), username }])
    })

    it.each([
      ["missing", null],
      ["empty", ""],
      ["with a space", "ci user"],
      ["with '@'", "ci@example"],
      ["longer than 255 characters", "d".repeat(256)]
    ])("rejects a deploy username %s", (_, username) => {
      given(TokenDecider).when({ ...deploy, username }).thenFails("InvalidField", { field: "username" })
    })

    it("refuses to create a token twice", () => {
      given(TokenDecider, personalToken).when(personal).thenFails("AlreadyExists")
    })

    it("gives each kind its own recognisable prefix", () => {
      expect(new Set(Object.values(tokenPrefix)).size).toBe(Object.keys(tokenPrefix).length)
    })
  })

  describe("commands on a token that does not exist", () => {
    const commands: ReadonlyArray<TokenCommand> = [
      { _tag: "RevokeToken", reason: "revoked" },
      { _tag: "RecordTokenUse", at: now, minIntervalMs: 60_000 }
    ]
    it.each(commands)("$_tag fails with TokenNotFound", (command) => {
      given(TokenDecider).when(command).thenFails("TokenNotFound")
    })
  })

  describe("RevokeToken", () => {
    const reasons: ReadonlyArray<"revoked" | "job_finished"> = ["revoked", "job_finished"]
    it.each(reasons)("revokes a token with reason %s", (reason) => {
      given(TokenDecider, personalToken).when({ _tag: "RevokeToken", reason }).then([{ _tag: "TokenRevoked", reason }])
    })

    it("refuses to revoke a token twice", () => {
      given(TokenDecider, [...personalToken, { _tag: "TokenRevoked", reason: "job_finished" }])
        .when({ _tag: "RevokeToken", reason: "revoked" })
        .thenFails("TokenAlreadyRevoked", { tokenId: 1 })
    })

    it("keeps the reason in the state", () => {
      expect(fold(TokenDecider, [...personalToken, { _tag: "TokenRevoked", reason: "job_finished" }])).toMatchObject({
        revoked: true,
        revokedReason: "job_finished"
      })
    })
  })

  describe("RecordTokenUse", () => {
    const minute = 60_000
    const used = (at: Date): TokenEvent => ({ _tag: "TokenUsed", at })
    const useAt = (offsetMs: number): TokenCommand => ({
      _tag: "RecordTokenUse",
      at: new Date(now.getTime() + offsetMs),
      minIntervalMs: minute
    })

    it("records the first use", () => {
      given(TokenDecider, personalToken).when(useAt(0)).then([used(now)])
    })

    it("records nothing for a second use within the interval", () => {
      given(TokenDecider, [...personalToken, used(now)]).when(useAt(0)).then([])
      given(TokenDecider, [...personalToken, used(now)]).when(useAt(minute - 1)).then([])
    })

    // A use exactly one interval later is recorded: at most one event per interval, not one per interval and a bit.
    it("records a use once the interval has passed", () => {
      given(TokenDecider, [...personalToken, used(now)]).when(useAt(minute)).then([used(new Date(now.getTime() + minute))])
      given(TokenDecider, [...personalToken, used(now)])
        .when(useAt(10 * minute))
        .then([used(new Date(now.getTime() + 10 * minute))])
    })

    it("records nothing for a use stamped before the last one, as when clocks disagree", () => {
      given(TokenDecider, [...personalToken, used(now)]).when(useAt(-minute)).then([])
    })

    it("tracks the last use in the state", () => {
      const later = new Date(now.getTime() + minute)
      expect(fold(TokenDecider, [...personalToken, used(now), used(later)])).toMatchObject({ lastUsedAt: later })
    })
  })
})
