import { Either, Schema } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import { AccessLevels } from "../../src/domain/AccessLevel.js"
import type { EncryptedSecret } from "../../src/domain/EncryptedSecret.js"
import { encodeEvent } from "../../src/domain/eventCodec.js"
import { type JsonObject, JsonObjectSchema } from "../../src/domain/Json.js"
import { project, type StoredEvent } from "../../src/domain/projector.js"
import {
  GroupPathClaimStream,
  GroupStream,
  SsoStream,
  type StreamType,
  streamId,
  TokenStream,
  UsernameClaimStream,
  UserStream
} from "../../src/domain/streams.js"
import {
  GroupView,
  IndexView,
  Kinds,
  MembershipView,
  membershipId,
  SsoSessionView,
  ssoSessionId,
  TokenView,
  UserView
} from "../../src/domain/views.js"

const sealed: EncryptedSecret = { keyId: "key-1", iv: "aXY=", ciphertext: "Y3Q=", tag: "dGFn" }
const DIGEST = "cd".repeat(32)
const at = (minute: number): Date => new Date(Date.UTC(2025, 0, 1, 12, minute))

/**
 * An in-memory read model applying changes the way the store does. Documents go through JSON text on the
 * way in, as they do through a jsonb column, so a document that only works while it still holds live
 * objects (a Date, a Map) fails here as it would in production.
 */
class ReadModel {
  private readonly rows = new Map<string, JsonObject>()
  private static key = (kind: string, id: string) => JSON.stringify([kind, id])

  apply(event: StoredEvent): void {
    for (const change of project(event)) {
      const key = ReadModel.key(change.kind, change.id)
      const next = change.update(this.rows.get(key))
      if (next === undefined) {
        this.rows.delete(key)
      } else {
        const reread: unknown = JSON.parse(JSON.stringify(next))
        this.rows.set(key, Schema.decodeUnknownSync(JsonObjectSchema)(reread))
      }
    }
  }

  get<A, I>(schema: Schema.Schema<A, I>, kind: string, id: string): A | undefined {
    const row = this.rows.get(ReadModel.key(kind, id))
    return row === undefined ? undefined : Schema.decodeUnknownSync(schema)(row)
  }

  keys(): ReadonlyArray<readonly [string, string]> {
    return [...this.rows.keys()].map((key) => {
      const parsed = Schema.decodeUnknownSync(Schema.Tuple(Schema.String, Schema.String))(JSON.parse(key))
      return [parsed[0], parsed[1]]
    })
  }
}

let nextPosition = 0
const stored = <E extends { readonly _tag: string }, I>(
  stream: StreamType<E, I>,
  key: string | number,
  // NoInfer: the event is checked against the stream's schema instead of widening the stream's type.
  event: NoInfer<E>,
  recordedAt: Date
): StoredEvent => {
  const { type, schemaVersion, payload } = Either.getOrThrow(encodeEvent(stream, event))
  nextPosition += 1
  return { globalPosition: nextPosition, streamId: streamId(stream.category, key), type, schemaVersion, payload, recordedAt }
}

// The history of a small installation, in log order, claim streams included as the handlers append them.
const history: ReadonlyArray<StoredEvent> = [
  stored(
    UserStream,
    7,
    {
      _tag: "UserCreated",
      userId: 7,
      username: "Alice",
      email: "alice@example.com",
      name: "Alice",
      passwordHash: "scrypt$hash",
      admin: false,
      bot: false
    },
    at(0)
  ),
  stored(UsernameClaimStream, "alice", { _tag: "NameClaimed", ownerId: 7 }, at(0)),
  stored(
    UserStream,
    8,
    {
      _tag: "UserCreated",
      userId: 8,
      username: "bob",
      email: "bob@example.com",
      name: "Bob",
      passwordHash: null,
      admin: false,
      bot: true
    },
    at(1)
  ),
  stored(
    GroupStream,
    1,
    { _tag: "GroupCreated", groupId: 1, path: "Acme", name: "Acme Corp", parentId: null, ancestorIds: [], fullPath: "Acme" },
    at(2)
  ),
  stored(GroupStream, 1, { _tag: "MemberAdded", userId: 7, accessLevel: AccessLevels.owner }, at(2)),
  stored(GroupPathClaimStream, "acme", { _tag: "NameClaimed", ownerId: 1 }, at(2)),
  stored(GroupStream, 1, { _tag: "MemberAdded", userId: 8, accessLevel: AccessLevels.developer }, at(3)),
  stored(GroupStream, 1, { _tag: "DependencyProxySettingChanged", enabled: false }, at(4)),
  stored(GroupStream, 1, { _tag: "DockerHubCredentialsSet", identity: "hubuser", secret: sealed }, at(4)),
  stored(GroupStream, 1, { _tag: "ImageTtlPolicyChanged", enabled: true, ttlDays: 30 }, at(5)),
  stored(GroupStream, 1, { _tag: "SsoEnforcementChanged", enforced: true }, at(5)),
  stored(GroupStream, 1, { _tag: "ServeStaleOnNotFoundChanged", enabled: true }, at(5)),
  stored(GroupStream, 1, { _tag: "ManifestCheckIntervalChanged", seconds: 300 }, at(5)),
  stored(
    TokenStream,
    100,
    {
      _tag: "TokenCreated",
      tokenId: 100,
      kind: "personal",
      name: "laptop",
      digest: DIGEST,
      scopes: ["read_registry"],
      expiresAt: at(60),
      userId: 7,
      groupId: null,
      username: null,
      accessLevel: null
    },
    at(6)
  ),
  stored(TokenStream, 100, { _tag: "TokenRevoked", reason: "revoked" }, at(7))
]

describe("project", () => {
  let model: ReadModel
  beforeEach(() => {
    model = new ReadModel()
    for (const event of history) model.apply(event)
  })

  it("writes exactly the documents and indexes of the history; claim streams add nothing", () => {
    expect([...model.keys()].sort()).toStrictEqual(
      [
        [Kinds.user, "7"],
        [Kinds.user, "8"],
        [Kinds.userByName, "alice"],
        [Kinds.userByName, "bob"],
        [Kinds.group, "1"],
        [Kinds.groupByPath, "acme"],
        [Kinds.membership, membershipId(1, 7)],
        [Kinds.membership, membershipId(1, 8)],
        [Kinds.token, "100"],
        [Kinds.tokenByDigest, DIGEST]
      ].sort()
    )
  })

  it("projects a user, indexed by lowercased username", () => {
    expect(model.get(UserView, Kinds.user, "7")).toStrictEqual({
      userId: 7,
      username: "Alice",
      email: "alice@example.com",
      name: "Alice",
      passwordHash: "scrypt$hash",
      admin: false,
      bot: false,
      blocked: false,
      twoFactorEnabled: false,
      passwordVersion: 0,
      endedSessions: [],
      sessionsEndedUntil: null,
      createdAt: at(0)
    })
    expect(model.get(IndexView, Kinds.userByName, "alice")).toStrictEqual({ id: 7 })
  })

  it("projects a group with every setting change applied, indexed by lowercased full path", () => {
    expect(model.get(GroupView, Kinds.group, "1")).toStrictEqual({
      groupId: 1,
      path: "Acme",
      name: "Acme Corp",
      parentId: null,
      ancestorIds: [],
      fullPath: "Acme",
      settings: {
        enabled: false,
        identity: "hubuser",
        secret: sealed,
        ttlPolicy: { enabled: true, ttlDays: 30 },
        ssoEnforced: true,
        serveStaleOnNotFound: true,
        manifestCheckIntervalSeconds: 300,
        credentialsRejected: null
      },
      createdAt: at(2)
    })
    expect(model.get(IndexView, Kinds.groupByPath, "acme")).toStrictEqual({ id: 1 })
  })

  it("projects one membership row per member, created when the member was added", () => {
    expect(model.get(MembershipView, Kinds.membership, membershipId(1, 7))).toStrictEqual({
      groupId: 1,
      userId: 7,
      accessLevel: AccessLevels.owner,
      createdAt: at(2)
    })
    expect(model.get(MembershipView, Kinds.membership, membershipId(1, 8))).toStrictEqual({
      groupId: 1,
      userId: 8,
      accessLevel: AccessLevels.developer,
      createdAt: at(3)
    })
  })

  it("projects a revoked token, indexed by digest", () => {
    expect(model.get(TokenView, Kinds.token, "100")).toStrictEqual({
      tokenId: 100,
      kind: "personal",
      name: "laptop",
      digest: DIGEST,
      scopes: ["read_registry"],
      expiresAt: at(60),
      userId: 7,
      groupId: null,
      username: null,
      accessLevel: null,
      revoked: true,
      revokedReason: "revoked",
      lastUsedAt: null,
      createdAt: at(6)
    })
    expect(model.get(IndexView, Kinds.tokenByDigest, DIGEST)).toStrictEqual({ id: 100 })
  })

  it("changes a member's role in place, keeping when they joined", () => {
    model.apply(stored(GroupStream, 1, { _tag: "MemberAccessLevelChanged", userId: 8, accessLevel: AccessLevels.maintainer }, at(9)))
    expect(model.get(MembershipView, Kinds.membership, membershipId(1, 8))).toStrictEqual({
      groupId: 1,
      userId: 8,
      accessLevel: AccessLevels.maintainer,
      createdAt: at(3)
    })
  })

  it("deletes the membership row when the member is removed, and only that row", () => {
    model.apply(stored(GroupStream, 1, { _tag: "MemberRemoved", userId: 8 }, at(9)))
    expect(model.get(MembershipView, Kinds.membership, membershipId(1, 8))).toBeUndefined()
    expect(model.get(MembershipView, Kinds.membership, membershipId(1, 7))).toMatchObject({ accessLevel: AccessLevels.owner })
    expect(model.get(UserView, Kinds.user, "8")).toMatchObject({ userId: 8 })
  })

  it("moves the path index with a path change, and keeps the description on the document", () => {
    model.apply(stored(GroupStream, 1, { _tag: "GroupDescriptionChanged", description: "Mirrors" }, at(9)))
    model.apply(stored(GroupStream, 1, { _tag: "GroupPathChanged", path: "corp", fullPath: "corp", previousFullPath: "Acme" }, at(9)))
    expect(model.get(GroupView, Kinds.group, "1")).toMatchObject({ path: "corp", fullPath: "corp", description: "Mirrors" })
    expect(model.get(IndexView, Kinds.groupByPath, "acme")).toBeUndefined()
    expect(model.get(IndexView, Kinds.groupByPath, "corp")).toStrictEqual({ id: 1 })
  })

  it("drops the group document and its path index when the group is deleted; members went before", () => {
    model.apply(stored(GroupStream, 1, { _tag: "MemberRemoved", userId: 7 }, at(9)))
    model.apply(stored(GroupStream, 1, { _tag: "MemberRemoved", userId: 8 }, at(9)))
    model.apply(stored(GroupStream, 1, { _tag: "GroupDeleted", fullPath: "Acme" }, at(9)))
    expect(model.get(GroupView, Kinds.group, "1")).toBeUndefined()
    expect(model.get(IndexView, Kinds.groupByPath, "acme")).toBeUndefined()
    expect(model.get(MembershipView, Kinds.membership, membershipId(1, 7))).toBeUndefined()
    expect(model.get(UserView, Kinds.user, "7")).toMatchObject({ userId: 7 })
  })

  it("applies later user events to the user document", () => {
    model.apply(stored(UserStream, 7, { _tag: "UserBlocked" }, at(9)))
    model.apply(stored(UserStream, 7, { _tag: "TwoFactorEnabled" }, at(9)))
    model.apply(stored(UserStream, 7, { _tag: "AdminChanged", admin: true }, at(9)))
    model.apply(stored(UserStream, 7, { _tag: "PasswordChanged", passwordHash: "scrypt$new" }, at(9)))
    expect(model.get(UserView, Kinds.user, "7")).toMatchObject({
      blocked: true,
      twoFactorEnabled: true,
      admin: true,
      passwordHash: "scrypt$new",
      createdAt: at(0)
    })
  })

  it("records a token's last use", () => {
    model.apply(stored(TokenStream, 100, { _tag: "TokenUsed", at: at(8) }, at(8)))
    expect(model.get(TokenView, Kinds.token, "100")).toMatchObject({ lastUsedAt: at(8), revoked: true })
  })

  it("clears credentials from the settings", () => {
    model.apply(stored(GroupStream, 1, { _tag: "DockerHubCredentialsCleared" }, at(9)))
    expect(model.get(GroupView, Kinds.group, "1")).toMatchObject({
      settings: { identity: null, secret: null, enabled: false, ttlPolicy: { enabled: true, ttlDays: 30 } }
    })
  })

  it("projects an SSO session and its end, keyed by user and group", () => {
    // The stream is keyed `<userId>-<groupId>`; the projector reads the session's row id back from that key
    // for SsoSessionEnded, which carries no fields of its own.
    const key = `${7}-${1}`
    model.apply(stored(SsoStream, key, { _tag: "SsoSessionStarted", userId: 7, groupId: 1, expiresAt: at(120) }, at(10)))
    expect(model.get(SsoSessionView, Kinds.ssoSession, ssoSessionId(7, 1))).toStrictEqual({
      userId: 7,
      groupId: 1,
      expiresAt: at(120),
      ended: false
    })
    model.apply(stored(SsoStream, key, { _tag: "SsoSessionEnded" }, at(11)))
    expect(model.get(SsoSessionView, Kinds.ssoSession, ssoSessionId(7, 1))).toMatchObject({ ended: true })
  })

  it("names a group stored at version 1 by its path", () => {
    model.apply({
      globalPosition: 1000,
      streamId: streamId(GroupStream.category, 2),
      type: "GroupCreated",
      schemaVersion: 1,
      payload: { groupId: 2, path: "team", parentId: 1, ancestorIds: [1], fullPath: "Acme/team" },
      recordedAt: at(12)
    })
    expect(model.get(GroupView, Kinds.group, "2")).toMatchObject({ name: "team", ancestorIds: [1], fullPath: "Acme/team" })
    expect(model.get(IndexView, Kinds.groupByPath, "acme/team")).toStrictEqual({ id: 2 })
  })

  it("does not invent a document for an event whose entity was never projected", () => {
    model.apply(stored(GroupStream, 9, { _tag: "SsoEnforcementChanged", enforced: true }, at(12)))
    model.apply(stored(UserStream, 9, { _tag: "UserBlocked" }, at(12)))
    expect(model.get(GroupView, Kinds.group, "9")).toBeUndefined()
    expect(model.get(UserView, Kinds.user, "9")).toBeUndefined()
  })

  // The log was altered outside the application: a defect to surface, not an outcome to project.
  it("throws on an event that does not decode", () => {
    expect(() =>
      project({ globalPosition: 1, streamId: "group-1", type: "MemberAdded", schemaVersion: 1, payload: { userId: "x" }, recordedAt: at(0) })
    ).toThrow(/undecodable MemberAdded in group-1/)
  })
})
