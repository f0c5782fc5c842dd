import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { fold } from "../../src/domain/Decider.js"
import { MAX_ENDED_SESSIONS, sessionEnded, UserDecider, type UserCommand } from "../../src/domain/user/UserDecider.js"
import type { UserCreated, UserEvent } from "../../src/domain/user/UserEvents.js"
import { normalizeUsername, validatePassword } from "../../src/domain/user/UserValidation.js"
import { given } from "../support/givenWhenThen.js"

type CreateUser = Extract<UserCommand, { readonly _tag: "CreateUser" }>

const create = (fields: Partial<Omit<CreateUser, "_tag">> = {}): CreateUser => ({
  _tag: "CreateUser",
  userId: 7,
  username: "alice",
  email: "alice@example.com",
  name: "Alice",
  passwordHash: "scrypt$hash",
  admin: false,
  bot: false,
  ...fields
})

const aliceCreated: typeof UserCreated.Type = {
  _tag: "UserCreated",
  userId: 7,
  username: "alice",
  email: "alice@example.com",
  name: "Alice",
  passwordHash: "scrypt$hash",
  admin: false,
  bot: false
}
const alice: ReadonlyArray<UserEvent> = [aliceCreated]

describe("UserDecider", () => {
  describe("CreateUser", () => {
    it("creates a user", () => {
      given(UserDecider).when(create()).then([aliceCreated])
    })

    it("creates a bot user, which has no password", () => {
      given(UserDecider)
        .when(create({ username: "group_1_bot", passwordHash: null, bot: true }))
        .then([{ ...aliceCreated, username: "group_1_bot", passwordHash: null, bot: true }])
    })

    it("starts unblocked and without two-factor authentication", () => {
      const { _tag, ...fields } = aliceCreated
      expect(fold(UserDecider, alice)).toStrictEqual({ ...fields, blocked: false, twoFactorEnabled: false, passwordVersion: 0, endedSessions: [], sessionsEndedUntil: null })
    })

    it.each(["a", "alice", "alice.smith", "a_b-c", "_x", "x-", "9", "u".repeat(255)])("accepts the username %j", (username) => {
      given(UserDecider).when(create({ username })).then([{ ...aliceCreated, username }])
    })

    it.each([
      ["is empty", ""],
      ["starts with '-'", "-alice"],
      ["starts with '.'", ".alice"],
      ["ends in '.'", "alice."],
      ["ends in '.git'", "alice.git"],
      ["ends in '.atom', whatever the case", "alice.ATOM"],
      ["contains a space", "alice smith"],
      ["contains '@'", "alice@home"],
      ["is longer than 255 characters", "u".repeat(256)]
    ])("rejects a username that %s", (_, username) => {
      given(UserDecider).when(create({ username })).thenFails("InvalidField", { field: "username" })
    })

    it.each([
      ["has no '@'", "alice.example.com"],
      ["has nothing before '@'", "@example.com"],
      ["has nothing after '@'", "alice@"],
      ["contains whitespace", "alice smith@example.com"],
      ["has two '@'", "alice@home@example.com"],
      ["is empty", ""],
      ["is longer than 255 characters", `${"a".repeat(244)}@example.com`]
    ])("rejects an email that %s", (_, email) => {
      given(UserDecider).when(create({ email })).thenFails("InvalidField", { field: "email" })
    })

    it("accepts an email of exactly 255 characters", () => {
      const email = `${"a".repeat(243)}@example.com`
      expect(email).toHaveLength(255)
      given(UserDecider).when(create({ email })).then([{ ...aliceCreated, email }])
    })

    it("rejects a name longer than 255 characters", () => {
      given(UserDecider).when(create({ name: "n".repeat(256) })).thenFails("InvalidField", { field: "name" })
    })

    it("refuses to create a user twice", () => {
      given(UserDecider, alice).when(create()).thenFails("AlreadyExists")
    })
  })

  describe("commands on a user that does not exist", () => {
    const commands: ReadonlyArray<UserCommand> = [
      { _tag: "BlockUser" },
      { _tag: "UnblockUser" },
      { _tag: "SetTwoFactor", enabled: true },
      { _tag: "SetAdmin", admin: true },
      { _tag: "ChangePassword", passwordHash: "new" }
    ]
    it.each(commands)("$_tag fails with UserNotFound", (command) => {
      given(UserDecider).when(command).thenFails("UserNotFound")
    })
  })

  describe("blocking", () => {
    it("blocks an active user and unblocks a blocked one", () => {
      given(UserDecider, alice).when({ _tag: "BlockUser" }).then([{ _tag: "UserBlocked" }])
      given(UserDecider, [...alice, { _tag: "UserBlocked" }]).when({ _tag: "UnblockUser" }).then([{ _tag: "UserUnblocked" }])
    })

    it("is idempotent: blocking a blocked user or unblocking an active one records nothing", () => {
      given(UserDecider, [...alice, { _tag: "UserBlocked" }]).when({ _tag: "BlockUser" }).then([])
      given(UserDecider, alice).when({ _tag: "UnblockUser" }).then([])
      given(UserDecider, [...alice, { _tag: "UserBlocked" }, { _tag: "UserUnblocked" }]).when({ _tag: "UnblockUser" }).then([])
    })
  })

  describe("two-factor authentication", () => {
    it("enables and disables it", () => {
      given(UserDecider, alice).when({ _tag: "SetTwoFactor", enabled: true }).then([{ _tag: "TwoFactorEnabled" }])
      given(UserDecider, [...alice, { _tag: "TwoFactorEnabled" }])
        .when({ _tag: "SetTwoFactor", enabled: false })
        .then([{ _tag: "TwoFactorDisabled" }])
    })

    it("records nothing when unchanged", () => {
      given(UserDecider, alice).when({ _tag: "SetTwoFactor", enabled: false }).then([])
      given(UserDecider, [...alice, { _tag: "TwoFactorEnabled" }]).when({ _tag: "SetTwoFactor", enabled: true }).then([])
    })
  })

  describe("admin", () => {
    it("grants and revokes admin", () => {
      given(UserDecider, alice).when({ _tag: "SetAdmin", admin: true }).then([{ _tag: "AdminChanged", admin: true }])
      given(UserDecider, [{ ...aliceCreated, admin: true }])
        .when({ _tag: "SetAdmin", admin: false })
        .then([{ _tag: "AdminChanged", admin: false }])
    })

    it("records nothing when unchanged", () => {
      given(UserDecider, alice).when({ _tag: "SetAdmin", admin: false }).then([])
      given(UserDecider, [...alice, { _tag: "AdminChanged", admin: true }]).when({ _tag: "SetAdmin", admin: true }).then([])
    })
  })

  describe("ChangePassword", () => {
    // Hashes are salted, so the same password yields a different hash: every change is recorded.
    it("always records the new hash", () => {
      given(UserDecider, alice)
        .when({ _tag: "ChangePassword", passwordHash: "scrypt$hash" })
        .then([{ _tag: "PasswordChanged", passwordHash: "scrypt$hash" }])
    })

    it("gives a bot user a password", () => {
      given(UserDecider, [{ ...aliceCreated, passwordHash: null, bot: true }])
        .when({ _tag: "ChangePassword", passwordHash: "h" })
        .then([{ _tag: "PasswordChanged", passwordHash: "h" }])
    })
  })

  describe("DeleteUser", () => {
    it("deletes the user, naming the username to release; after it the user is not found", () => {
      given(UserDecider, alice).when({ _tag: "DeleteUser" }).then([{ _tag: "UserDeleted", username: aliceCreated.username }])
      given(UserDecider, [...alice, { _tag: "UserDeleted", username: aliceCreated.username }]).when({ _tag: "BlockUser" }).thenFails("UserNotFound")
      given(UserDecider, [...alice, { _tag: "UserDeleted", username: aliceCreated.username }]).when({ _tag: "DeleteUser" }).thenFails("UserNotFound")
    })
  })

  describe("EndSession (sign-out)", () => {
    const hour = 3_600_000
    const at = (ms: number) => new Date(Date.UTC(2026, 11, 6) + ms)
    const ended = (session: string, expiresAt: Date, endedAt: Date): UserEvent => ({ _tag: "SessionEnded", session, expiresAt, endedAt })

    it("records a session that has not expired yet, once", () => {
      given(UserDecider, alice)
        .when({ _tag: "EndSession", session: "s1", expiresAt: at(8 * hour), now: at(0) })
        .then([ended("s1", at(8 * hour), at(0))])
      given(UserDecider, [...alice, ended("s1", at(8 * hour), at(0))])
        .when({ _tag: "EndSession", session: "s1", expiresAt: at(8 * hour), now: at(hour) })
        .then([])
    })

    it("records nothing for a session that has expired: its cookie no longer opens", () => {
      given(UserDecider, alice).when({ _tag: "EndSession", session: "s1", expiresAt: at(0), now: at(0) }).then([])
    })

    it("keeps an ended session until it would have expired, then lets it go when another ends", () => {
      const state = fold(UserDecider, [...alice, ended("s1", at(8 * hour), at(0)), ended("s2", at(10 * hour), at(2 * hour))])
      expect(state?.endedSessions.map((e) => e.session)).toEqual(["s1", "s2"])
      const later = fold(UserDecider, [...alice, ended("s1", at(8 * hour), at(0)), ended("s2", at(10 * hour), at(2 * hour)), ended("s3", at(17 * hour), at(9 * hour))])
      expect(later?.endedSessions.map((e) => e.session)).toEqual(["s2", "s3"])
    })

    it("keeps the newest MAX_ENDED_SESSIONS: a user signing in and out in a loop does not grow the list without end", () => {
      const many = Array.from({ length: MAX_ENDED_SESSIONS + 5 }, (_, i) => ended(`s${i}`, at(8 * hour + i), at(i)))
      const state = fold(UserDecider, [...alice, ...many])
      expect(state?.endedSessions).toHaveLength(MAX_ENDED_SESSIONS)
      expect(state?.endedSessions[0]?.session).toBe("s5")
      expect(state?.endedSessions.at(-1)?.session).toBe(`s${MAX_ENDED_SESSIONS + 4}`)
      // Those let go of stay ended, through the watermark: the list's limit never lets a session back in.
      if (state === null) throw new Error("alice is gone")
      expect(state.sessionsEndedUntil).toEqual(at(8 * hour + 4))
      expect(sessionEnded(state, "s0", at(8 * hour))).toBe(true)
      expect(sessionEnded(state, "s4", at(8 * hour + 4))).toBe(true)
      expect(sessionEnded(state, "never-signed-out", at(8 * hour + 50))).toBe(false)
      given(UserDecider, [...alice, ...many]).when({ _tag: "EndSession", session: "s0", expiresAt: at(8 * hour), now: at(200) }).then([])
    })

    it("is refused for a deleted user", () => {
      given(UserDecider, [...alice, { _tag: "UserDeleted", username: aliceCreated.username }])
        .when({ _tag: "EndSession", session: "s1", expiresAt: at(hour), now: at(0) })
        .thenFails("UserNotFound")
    })
  })

  describe("validation helpers used by the handlers", () => {
    it("checks the plaintext password length between 8 and 128 characters", () => {
      expect(validatePassword("p".repeat(8))).toStrictEqual(Either.right("p".repeat(8)))
      expect(validatePassword("p".repeat(128))).toStrictEqual(Either.right("p".repeat(128)))
      expect(validatePassword("p".repeat(7))).toMatchObject({ _tag: "Left", left: { _tag: "InvalidField", field: "password" } })
      expect(validatePassword("p".repeat(129))).toMatchObject({ _tag: "Left", left: { _tag: "InvalidField", field: "password" } })
    })

    it("compares usernames case-insensitively", () => {
      expect(normalizeUsername("Alice.Smith")).toBe(normalizeUsername("alice.smith"))
    })
  })
})
