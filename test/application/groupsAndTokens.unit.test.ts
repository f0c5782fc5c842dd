import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Option } from "effect"
import { LiveViewLayer } from "../../src/application/LiveView.js"
import { EventStore, startOfLog } from "../../src/application/ports/EventStore.js"
import { allTokens, groupById, membersOf, tokenByDigest, userById } from "../../src/application/queries.js"
import { TokenGenerator } from "../../src/application/ports/TokenGenerator.js"
import { SecretBox } from "../../src/application/ports/SecretBox.js"
import { changeGroup, createGroup, updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { createDeployToken, createGroupAccessToken, createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { createJobToken } from "../../src/application/useCases/jobTokens.js"
import { finishJob, recordTokenUse, revokeToken } from "../../src/application/useCases/tokenLifecycle.js"
import { createUser } from "../../src/application/useCases/users.js"
import { endSsoSession, startSsoSession } from "../../src/application/useCases/sso.js"
import { purgeGroupCache } from "../../src/application/cache/cleanup.js"
import { asUser, memoryApp } from "../support/testApp.js"

/** When member commands are decided: the last-Owner rule counts the Owners whose membership has not ended by then. */
const NOW = new Date("2026-12-05T12:00:00Z")

const tagOf = <A, E extends { readonly _tag: string }>(result: Either.Either<A, E>) =>
  Either.getLeft(result).pipe(Option.map((e) => e._tag), Option.getOrNull)

const owner = createUser({ username: "owner", email: "o@example.com", name: "Owner", password: "password-1", admin: false })

describe("groups", () => {
  it.effect("a change answers the group as it left it, reading the group's stream once; a missing group is the decider's refusal", () =>
    Effect.gen(function*() {
      const ownerId = yield* owner
      const groupId = yield* createGroup({ path: "counted", name: "Counted", parentId: null, ownerUserId: ownerId })
      const reads: Array<string> = []
      const counted = Effect.updateService(EventStore, (store) => ({
        ...store,
        readStream: (streamId: string) => Effect.sync(() => reads.push(streamId)).pipe(Effect.zipRight(store.readStream(streamId)))
      }))
      const after = yield* updateDependencyProxySettings(groupId, { enabled: false, identity: "hub-user", secret: "hub-secret" }).pipe(counted)
      expect(after.settings).toMatchObject({ enabled: false, identity: "hub-user" })
      expect(reads).toEqual([`group-${groupId}`])
      const unchanged = yield* changeGroup(groupId, { _tag: "SetServeStaleOnNotFound", enabled: false })
      expect(unchanged.settings.enabled).toBe(false)
      const missing = yield* Effect.either(changeGroup(groupId + 1000, { _tag: "AddMember", userId: ownerId + 1000, accessLevel: 30 }))
      expect(Either.getLeft(missing).pipe(Option.getOrNull)).toMatchObject({ _tag: "GroupNotFound", group: String(groupId + 1000) })
      const noUser = yield* Effect.either(changeGroup(groupId, { _tag: "AddMember", userId: ownerId + 1000, accessLevel: 30 }))
      expect(tagOf(noUser)).toBe("UserNotFound")
    }).pipe(Effect.provide(memoryApp())))

  it.effect("derives subgroup full paths and makes the creator Owner", () =>
    Effect.gen(function*() {
      const ownerId = yield* owner
      const top = yield* createGroup({ path: "Top", name: "Top", parentId: null, ownerUserId: ownerId })
      const sub = yield* createGroup({ path: "sub", name: "Sub", parentId: top, ownerUserId: ownerId })
      const subsub = yield* createGroup({ path: "deeper", name: "Deeper", parentId: sub, ownerUserId: ownerId })
      const view = Option.getOrThrow(yield* groupById(subsub))
      expect(view).toMatchObject({ fullPath: "Top/sub/deeper", parentId: sub, ancestorIds: [top, sub] })
      expect(view.settings).toMatchObject({ enabled: true, identity: null, ttlPolicy: { enabled: false, ttlDays: 90 } })
      expect(yield* membersOf(top)).toEqual([expect.objectContaining({ userId: ownerId, accessLevel: 50 })])
    }).pipe(Effect.provide(memoryApp())))

  it.effect("keeps paths unique among siblings only, case-insensitively", () =>
    Effect.gen(function*() {
      const ownerId = yield* owner
      const a = yield* createGroup({ path: "a", name: "A", parentId: null, ownerUserId: ownerId })
      const b = yield* createGroup({ path: "b", name: "B", parentId: null, ownerUserId: ownerId })
      yield* createGroup({ path: "shared", name: "s", parentId: a, ownerUserId: ownerId })
      yield* createGroup({ path: "shared", name: "s", parentId: b, ownerUserId: ownerId })
      const clash = yield* Effect.either(createGroup({ path: "SHARED", name: "s", parentId: a, ownerUserId: ownerId }))
      expect(tagOf(clash)).toBe("NameTaken")
      const missingParent = yield* Effect.either(createGroup({ path: "x", name: "x", parentId: 404, ownerUserId: ownerId }))
      expect(tagOf(missingParent)).toBe("GroupNotFound")
    }).pipe(Effect.provide(memoryApp())))

  it.effect("loses no update when many members are added at once (conflicts are retried)", () =>
    Effect.gen(function*() {
      const ownerId = yield* owner
      const group = yield* createGroup({ path: "busy", name: "Busy", parentId: null, ownerUserId: ownerId })
      const users = yield* Effect.all(
        Array.from({ length: 4 }, (_, i) => createUser({ username: `u${i}`, email: `u${i}@x.io`, name: "u", password: "password-1", admin: false }))
      )
      yield* Effect.all(users.map((userId) => changeGroup(group, { _tag: "AddMember", userId, accessLevel: 30 })), { concurrency: "unbounded" })
      expect((yield* membersOf(group)).map((m) => m.userId).sort()).toEqual([ownerId, ...users].sort())
    }).pipe(Effect.provide(memoryApp())))

  it.effect("stores the Docker Hub secret only sealed, and it opens to the original", () =>
    Effect.gen(function*() {
      const ownerId = yield* owner
      const group = yield* createGroup({ path: "creds", name: "Creds", parentId: null, ownerUserId: ownerId })
      yield* updateDependencyProxySettings(group, { identity: "hub-user", secret: "hub-secret-value" })
      const settings = Option.getOrThrow(yield* groupById(group)).settings
      expect(settings.identity).toBe("hub-user")
      const box = yield* SecretBox
      expect(yield* box.open(settings.secret ?? { keyId: "", iv: "", ciphertext: "", tag: "" })).toBe("hub-secret-value")
      const log = yield* EventStore.pipe(Effect.flatMap((s) => s.readAll(startOfLog, 1000)))
      expect(JSON.stringify(log)).not.toContain("hub-secret-value")
      const onlyOne = yield* Effect.either(updateDependencyProxySettings(group, { identity: "hub-user" }))
      expect(Either.getLeft(onlyOne)).toEqual(Option.some(expect.objectContaining({ _tag: "InvalidField", field: "secret" })))
    }).pipe(Effect.provide(memoryApp())))
})

describe("tokens", () => {
  it.effect("issues every kind with its prefix and stores only the SHA-256 digest", () =>
    Effect.gen(function*() {
      const ownerId = yield* owner
      const group = yield* createGroup({ path: "g", name: "G", parentId: null, ownerUserId: ownerId })
      const issued = [
        yield* createPersonalAccessToken({ userId: ownerId, name: "pat", scopes: ["read_registry"], expiresAt: null }),
        yield* createDeployToken({ groupId: group, name: "deploy", username: null, scopes: ["read_registry"], expiresAt: null }),
        yield* createGroupAccessToken({ groupId: group, name: "gat", scopes: ["read_registry"], accessLevel: 20, expiresAt: null }),
        yield* createJobToken({ userId: ownerId, groupId: group })
      ]
      expect(issued.map((t) => t.token.split("-")[0])).toEqual(["glpat", "gldt", "glgat", "glcbt"])
      const generator = yield* TokenGenerator
      for (const t of issued) {
        const view = Option.getOrThrow(yield* tokenByDigest(generator.digest(t.token)))
        expect(view.tokenId).toBe(t.tokenId)
      }
      const log = JSON.stringify(yield* EventStore.pipe(Effect.flatMap((s) => s.readAll(startOfLog, 1000))))
      for (const t of issued) expect(log).not.toContain(t.token)
      expect(issued[1]?.username).toBe(`gitlab+deploy-token-${issued[1]?.tokenId}`)
    }).pipe(Effect.provide(memoryApp())))

  it.effect("makes a group access token's bot a member with the token's role, atomically", () =>
    Effect.gen(function*() {
      const ownerId = yield* owner
      const group = yield* createGroup({ path: "g", name: "G", parentId: null, ownerUserId: ownerId })
      const token = yield* createGroupAccessToken({ groupId: group, name: "ci", scopes: ["read_registry"], accessLevel: 20, expiresAt: null })
      const bot = Option.getOrThrow(yield* userById(token.userId ?? 0))
      expect(bot).toMatchObject({ bot: true, passwordHash: null })
      expect(yield* membersOf(group)).toContainEqual(expect.objectContaining({ userId: bot.userId, accessLevel: 20 }))
      const bad = yield* Effect.either(createGroupAccessToken({ groupId: group, name: "x", scopes: ["sudo"], accessLevel: 20, expiresAt: null }))
      expect(tagOf(bad)).toBe("InvalidField")
      // The refused token left no bot and no membership behind.
      expect((yield* membersOf(group)).length).toBe(2)
    }).pipe(Effect.provide(memoryApp())))

  it.effect("revokes, finishes jobs, and coalesces use records", () =>
    Effect.gen(function*() {
      const ownerId = yield* owner
      const group = yield* createGroup({ path: "g", name: "G", parentId: null, ownerUserId: ownerId })
      const pat = yield* createPersonalAccessToken({ userId: ownerId, name: "pat", scopes: ["api"], expiresAt: null })
      const job = yield* createJobToken({ userId: ownerId, groupId: group })
      yield* revokeToken(pat.tokenId)
      expect(tagOf(yield* Effect.either(revokeToken(pat.tokenId)))).toBe("TokenAlreadyRevoked")
      yield* finishJob(job.tokenId)
      const views = yield* allTokens
      expect(views.map((t) => [t.tokenId, t.revoked, t.revokedReason])).toEqual([
        [pat.tokenId, true, "revoked"],
        [job.tokenId, true, "job_finished"]
      ])
      const before = (yield* EventStore.pipe(Effect.flatMap((s) => s.readAll(startOfLog, 1000)))).length
      for (let i = 0; i < 5; i++) yield* recordTokenUse(job.tokenId, 60_000)
      const after = (yield* EventStore.pipe(Effect.flatMap((s) => s.readAll(startOfLog, 1000)))).length
      expect(after - before).toBe(1)
      expect(tagOf(yield* Effect.either(revokeToken(12345)))).toBe("TokenNotFound")
    }).pipe(Effect.provide(memoryApp())))

  it.effect("only a token's user, its group's Owner or an administrator may revoke it, whatever the surface", () =>
    Effect.gen(function*() {
      const ownerId = yield* owner
      const other = yield* createUser({ username: "other", email: "x@example.com", name: "Other", password: "password-2", admin: false })
      const admin = yield* createUser({ username: "admin", email: "a@example.com", name: "Admin", password: "password-3", admin: true })
      const group = yield* createGroup({ path: "g", name: "G", parentId: null, ownerUserId: ownerId })
      yield* changeGroup(group, { _tag: "AddMember", userId: other, accessLevel: 40 })
      const pat = yield* createPersonalAccessToken({ userId: ownerId, name: "pat", scopes: ["api"], expiresAt: null })
      const deploy = yield* createDeployToken({ groupId: group, name: "d", username: null, scopes: ["read_registry"], expiresAt: null })
      const job = yield* createJobToken({ userId: ownerId, groupId: group })
      // A Maintainer of the group: not the PAT's user, not an Owner, not an administrator.
      for (const tokenId of [pat.tokenId, deploy.tokenId, job.tokenId]) {
        const refused = yield* Effect.either(revokeToken(tokenId).pipe(asUser(other)))
        expect(Either.getLeft(refused).pipe(Option.getOrNull)).toMatchObject({ _tag: "NotAllowed" })
      }
      // The job token's own user is no administrator either: jobs end through finishJob.
      expect(tagOf(yield* Effect.either(revokeToken(job.tokenId).pipe(asUser(ownerId))))).toBe("NotAllowed")
      expect((yield* allTokens).filter((t) => t.revoked)).toEqual([])
      yield* revokeToken(pat.tokenId).pipe(asUser(ownerId))
      yield* revokeToken(deploy.tokenId).pipe(asUser(ownerId))
      yield* revokeToken(job.tokenId).pipe(asUser(admin))
      expect((yield* allTokens).filter((t) => t.revoked).map((t) => t.tokenId)).toEqual([pat.tokenId, deploy.tokenId, job.tokenId])
    }).pipe(Effect.provide(memoryApp())))
})

describe("group changes are an Owner's, checked by the use case itself", () => {
  it.effect("a Maintainer calling changeGroup or the settings change directly is refused and nothing is appended", () =>
    Effect.gen(function*() {
      const ownerId = yield* owner
      const maintainer = yield* createUser({ username: "m", email: "m@example.com", name: "M", password: "password-2", admin: false })
      const outsider = yield* createUser({ username: "o", email: "out@example.com", name: "O", password: "password-4", admin: false })
      const group = yield* createGroup({ path: "g", name: "G", parentId: null, ownerUserId: ownerId })
      yield* changeGroup(group, { _tag: "AddMember", userId: maintainer, accessLevel: 40 })
      const logLength = EventStore.pipe(Effect.flatMap((s) => s.readAll(startOfLog, 10_000)), Effect.map((events) => events.length))
      const before = yield* logLength
      const attempts = [
        changeGroup(group, { _tag: "ChangeMemberAccessLevel", userId: maintainer, accessLevel: 50, now: NOW }),
        changeGroup(group, { _tag: "AddMember", userId: outsider, accessLevel: 50 }),
        changeGroup(group, { _tag: "RemoveMember", userId: ownerId, now: NOW }),
        changeGroup(group, { _tag: "SetSsoEnforcement", enforced: true }),
        updateDependencyProxySettings(group, { enabled: false })
      ]
      for (const attempt of attempts) {
        const refused = yield* Effect.either(attempt.pipe(Effect.asVoid, asUser(maintainer)))
        expect(Either.getLeft(refused).pipe(Option.getOrNull)).toMatchObject({ _tag: "NotAllowed", reason: "the Owner role is required" })
      }
      expect(tagOf(yield* Effect.either(changeGroup(group, { _tag: "AddMember", userId: outsider, accessLevel: 10 }).pipe(asUser(outsider))))).toBe("NotAllowed")
      expect(yield* logLength).toBe(before)
      // The Owner may.
      const after = yield* changeGroup(group, { _tag: "ChangeMemberAccessLevel", userId: maintainer, accessLevel: 50, now: NOW }).pipe(asUser(ownerId))
      expect(after.groupId).toBe(group)
      expect(yield* membersOf(group)).toContainEqual(expect.objectContaining({ userId: maintainer, accessLevel: 50 }))
    }).pipe(Effect.provide(memoryApp())))
})

describe("SSO sessions, job ends and purges are checked by the use cases themselves (ADR 0014), not only at their routes", () => {
  it.effect("refuses them to a caller the rules do not allow, and lets an administrator (or the group's Owner) act", () =>
    Effect.gen(function*() {
      const admin = yield* createUser({ username: "a", email: "a@example.com", name: "A", password: "password-1", admin: true })
      const ownerId = yield* createUser({ username: "w", email: "w@example.com", name: "W", password: "password-2", admin: false })
      const guest = yield* createUser({ username: "g", email: "g@example.com", name: "G", password: "password-3", admin: false })
      const group = yield* createGroup({ path: "g", name: "G", parentId: null, ownerUserId: ownerId })
      yield* changeGroup(group, { _tag: "AddMember", userId: guest, accessLevel: 10 })
      const job = yield* createJobToken({ userId: ownerId, groupId: group })
      const refusedTo = <A, E extends { readonly _tag: string }, R>(userId: number, attempt: Effect.Effect<A, E, R>) =>
        Effect.either(attempt.pipe(asUser(userId))).pipe(Effect.map(tagOf))
      for (const attempt of [
        startSsoSession({ userId: guest, groupId: group, expiresAt: null }),
        endSsoSession(guest, group),
        finishJob(job.tokenId)
      ]) {
        expect(yield* refusedTo(ownerId, attempt)).toBe("NotAllowed")
      }
      expect(yield* refusedTo(guest, purgeGroupCache(group))).toBe("NotAllowed")
      // Those the rules allow may.
      yield* startSsoSession({ userId: guest, groupId: group, expiresAt: null }).pipe(asUser(admin))
      yield* endSsoSession(guest, group).pipe(asUser(admin))
      yield* finishJob(job.tokenId).pipe(asUser(admin))
      // Only a job token ends as a job, whoever asks (the CLI did not check).
      const personal = yield* createPersonalAccessToken({ userId: ownerId, name: "p", scopes: ["read_api"], expiresAt: null, callerScopes: null })
      expect(yield* refusedTo(admin, finishJob(personal.tokenId))).toBe("TokenNotFound")
      expect(yield* purgeGroupCache(group).pipe(asUser(ownerId))).toBe(0)
    }).pipe(Effect.provide(LiveViewLayer.pipe(Layer.provideMerge(memoryApp())))))
})
