import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { userById, userByUsername } from "../../src/application/queries.js"
import { bootstrapRoot } from "../../src/application/useCases/bootstrap.js"
import { changeOwnPassword, changeUser, createUser, endBrowserSession } from "../../src/application/useCases/users.js"
import { PasswordHasher } from "../../src/application/ports/PasswordHasher.js"
import { asUser, memoryApp } from "../support/testApp.js"

const alice = { username: "alice", email: "alice@example.com", name: "Alice", password: "correct horse", admin: false }

describe("users", () => {
  it.effect("creates a user whose password is stored only as a scrypt hash", () =>
    Effect.gen(function*() {
      const id = yield* createUser(alice)
      const user = Option.getOrThrow(yield* userById(id))
      expect(user).toMatchObject({ username: "alice", admin: false, blocked: false, twoFactorEnabled: false, bot: false })
      expect(user.passwordHash).toMatch(/^scrypt\$/)
      expect(user.passwordHash).not.toContain("correct horse")
      const hasher = yield* PasswordHasher
      expect(yield* hasher.verify("correct horse", user.passwordHash ?? "")).toBe(true)
      expect(yield* hasher.verify("wrong horse", user.passwordHash ?? "")).toBe(false)
    }).pipe(Effect.provide(memoryApp())))

  it.effect("refuses a username already taken, whatever its case", () =>
    Effect.gen(function*() {
      yield* createUser(alice)
      const again = yield* Effect.either(createUser({ ...alice, username: "ALICE", email: "other@example.com" }))
      expect(Either.getLeft(again).pipe(Option.map((e) => e._tag))).toEqual(Option.some("NameTaken"))
    }).pipe(Effect.provide(memoryApp())))

  it.effect("lets exactly one of several concurrent creators have a username", () =>
    Effect.gen(function*() {
      const results = yield* Effect.all(
        Array.from({ length: 6 }, (_, i) => Effect.either(createUser({ ...alice, email: `a${i}@example.com` }))),
        { concurrency: "unbounded" }
      )
      expect(results.filter(Either.isRight)).toHaveLength(1)
      expect(results.filter(Either.isLeft).map((r) => Either.getLeft(r).pipe(Option.map((e) => e._tag)))).toEqual(
        Array(5).fill(Option.some("NameTaken"))
      )
    }).pipe(Effect.provide(memoryApp())))

  it.effect("checks the password before hashing it, naming the field", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(createUser({ ...alice, password: "short" }))
      expect(Either.getLeft(result)).toEqual(Option.some(expect.objectContaining({ _tag: "InvalidField", field: "password" })))
      expect(yield* userByUsername("alice")).toEqual(Option.none())
    }).pipe(Effect.provide(memoryApp())))

  it.effect("blocks, unblocks and turns two-factor authentication on", () =>
    Effect.gen(function*() {
      const id = yield* createUser(alice)
      yield* changeUser(id, { _tag: "BlockUser" })
      expect(Option.getOrThrow(yield* userById(id)).blocked).toBe(true)
      yield* changeUser(id, { _tag: "UnblockUser" })
      yield* changeUser(id, { _tag: "SetTwoFactor", enabled: true })
      expect(Option.getOrThrow(yield* userById(id))).toMatchObject({ blocked: false, twoFactorEnabled: true })
      const missing = yield* Effect.either(changeUser(999, { _tag: "BlockUser" }))
      expect(Either.getLeft(missing).pipe(Option.map((e) => e._tag))).toEqual(Option.some("UserNotFound"))
    }).pipe(Effect.provide(memoryApp())))

  it.effect("bootstraps root once, as an admin, asking for the password only the first time", () =>
    Effect.gen(function*() {
      let asked = 0
      const password = Effect.sync(() => {
        asked += 1
        return "initial-root-pw"
      })
      const first = yield* bootstrapRoot(password)
      const second = yield* bootstrapRoot(password)
      expect(first).toEqual({ created: true, userId: 1 })
      expect(second).toEqual({ created: false, userId: 1 })
      expect(asked).toBe(1)
      expect(Option.getOrThrow(yield* userByUsername("root")).admin).toBe(true)
    }).pipe(Effect.provide(memoryApp())))

  it.effect("an administrator may neither block nor demote themselves; another administrator may", () =>
    Effect.gen(function*() {
      const root = yield* createUser({ ...alice, username: "root", email: "root@example.com", admin: true })
      const other = yield* createUser({ ...alice, username: "other", email: "other@example.com", admin: true })
      const tagOf = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.either(effect).pipe(Effect.map((r) => Either.getLeft(r).pipe(Option.map((e) => e._tag))))
      expect(yield* tagOf(changeUser(root, { _tag: "BlockUser" }).pipe(asUser(root)))).toEqual(Option.some("NotAllowed"))
      expect(yield* tagOf(changeUser(root, { _tag: "SetAdmin", admin: false }).pipe(asUser(root)))).toEqual(Option.some("NotAllowed"))
      expect(Option.getOrThrow(yield* userById(root))).toMatchObject({ blocked: false, admin: true })
      yield* changeUser(other, { _tag: "SetAdmin", admin: false }).pipe(asUser(root))
      yield* changeUser(other, { _tag: "BlockUser" }).pipe(asUser(root))
      expect(Option.getOrThrow(yield* userById(other))).toMatchObject({ blocked: true, admin: false })
    }).pipe(Effect.provide(memoryApp())))

  it.effect("a session is signed out by its own user alone, even a blocked one; no administrator ends another's", () =>
    Effect.gen(function*() {
      const root = yield* createUser({ ...alice, username: "root", email: "root@example.com", admin: true })
      const id = yield* createUser(alice)
      const expiresAt = new Date(Date.now() + 3_600_000)
      const byRoot = yield* Effect.either(endBrowserSession(id, "s1", expiresAt).pipe(asUser(root)))
      expect(Either.getLeft(byRoot).pipe(Option.map((e) => e._tag))).toEqual(Option.some("NotAllowed"))
      expect(Option.getOrThrow(yield* userById(id)).endedSessions).toEqual([])
      yield* changeUser(id, { _tag: "BlockUser" })
      yield* endBrowserSession(id, "s1", expiresAt).pipe(asUser(id))
      expect(Option.getOrThrow(yield* userById(id)).endedSessions).toEqual([{ session: "s1", expiresAt }])
    }).pipe(Effect.provide(memoryApp())))

  it.effect("changes one's own password only with the right current one", () =>
    Effect.gen(function*() {
      const id = yield* createUser(alice)
      const wrong = yield* Effect.either(changeOwnPassword(id, "wrong horse", "a brand new one").pipe(asUser(id)))
      expect(Either.getLeft(wrong)).toEqual(Option.some(expect.objectContaining({ _tag: "InvalidField", field: "current_password" })))
      expect(Option.getOrThrow(yield* userById(id)).passwordVersion).toBe(0)
      const short = yield* Effect.either(changeOwnPassword(id, "correct horse", "short").pipe(asUser(id)))
      expect(Either.getLeft(short)).toEqual(Option.some(expect.objectContaining({ _tag: "InvalidField", field: "password" })))
      yield* changeOwnPassword(id, "correct horse", "a brand new one").pipe(asUser(id))
      const user = Option.getOrThrow(yield* userById(id))
      expect(user.passwordVersion).toBe(1)
      expect(yield* (yield* PasswordHasher).verify("a brand new one", user.passwordHash ?? "")).toBe(true)
      const bob = yield* createUser({ ...alice, username: "bob", email: "bob@example.com" })
      const other = yield* Effect.either(changeOwnPassword(id, "correct horse", "taking it over").pipe(asUser(bob)))
      expect(Either.getLeft(other).pipe(Option.map((e) => e._tag))).toEqual(Option.some("NotAllowed"))
    }).pipe(Effect.provide(memoryApp())))
})
