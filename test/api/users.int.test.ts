import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ApiWorld, apiWorld, call, expectError, expectList, expectObject, FORBIDDEN, notFound } from "../support/worlds/apiWorld.js"

const newUser = (username: string) => ({ username, email: `${username}@example.com`, name: `The ${username}`, password: `${username}-password` })

describe("users over the REST API", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  describe("POST /users", () => {
    it("lets an admin create a user, answered without the password or its hash", async () => {
      const response = await call(w.app, "POST", "/api/v4/users", { token: w.root.token, json: { ...newUser("dora"), admin: true } })
      const body = expectObject(response, 201)
      expect(Object.keys(body).sort()).toEqual(["avatar_url", "bot", "created_at", "email", "id", "is_admin", "locked", "name", "state", "two_factor_enabled", "username", "web_url"])
      expect(body).toMatchObject({ username: "dora", email: "dora@example.com", name: "The dora", state: "active", is_admin: true, bot: false })
      expect(response.body).not.toContain("dora-password")
      expect(response.body).not.toContain("scrypt")
    })

    it("refuses non-admins (403), and read_api tokens even an admin's", async () => {
      expectError(await call(w.app, "POST", "/api/v4/users", { token: w.owner.token, json: newUser("eve") }), 403, FORBIDDEN)
      expectError(await call(w.app, "POST", "/api/v4/users", { token: w.guestReadOnly, json: newUser("eve") }), 403, FORBIDDEN)
    })

    it("names every missing parameter, as grape does", async () => {
      expectError(await call(w.app, "POST", "/api/v4/users", { token: w.root.token, json: {} }), 400, {
        error: "username is missing, email is missing, name is missing, password is missing"
      })
      expectError(await call(w.app, "POST", "/api/v4/users", { token: w.root.token }), 400, {
        error: "username is missing, email is missing, name is missing, password is missing"
      })
    })

    it("names parameters of the wrong type", async () => {
      expectError(await call(w.app, "POST", "/api/v4/users", { token: w.root.token, json: { ...newUser("fay"), username: 42, admin: "maybe" } }), 400, {
        error: "username is invalid, admin is invalid"
      })
    })

    it("answers rule violations in GitLab's field shape", async () => {
      const cases: ReadonlyArray<readonly [Record<string, unknown>, Record<string, ReadonlyArray<string>>]> = [
        [{ ...newUser("gus"), email: "not-an-email" }, { email: ["is invalid"] }],
        [{ ...newUser("gus"), password: "short" }, { password: ["is too short (minimum is 8 characters)"] }],
        [{ ...newUser("gus"), password: "p".repeat(129) }, { password: ["is too long (maximum is 128 characters)"] }],
        [{ ...newUser("gus"), name: "n".repeat(256) }, { name: ["is too long (maximum is 255 characters)"] }],
        [{ ...newUser("gus"), username: "-gus" }, { username: ["can contain only letters, digits, '_', '-' and '.'. Cannot start with '-' or end in '.', '.git' or '.atom'."] }],
        [{ ...newUser("gus"), username: "g".repeat(300) }, { username: ["can contain only letters, digits, '_', '-' and '.'. Cannot start with '-' or end in '.', '.git' or '.atom'."] }],
        [{ ...newUser("gus"), username: "Owner" }, { username: ["has already been taken"] }]
      ]
      for (const [json, message] of cases) {
        expectError(await call(w.app, "POST", "/api/v4/users", { token: w.root.token, json }), 400, { message })
      }
    })
  })

  describe("reading users", () => {
    it("lists everyone for an admin, with emails and admin flags", async () => {
      const users = expectList(await call(w.app, "GET", "/api/v4/users", { token: w.root.token }))
      expect(users.map((u) => u.username)).toEqual(expect.arrayContaining(["root", "owner", "maintainer", "guest", "outsider"]))
      expect(users.find((u) => u.username === "owner")).toMatchObject({ email: "owner@example.test", is_admin: false })
    })

    it("lists only the caller for a non-admin, without the admin flag", async () => {
      const users = expectList(await call(w.app, "GET", "/api/v4/users", { token: w.guestReadOnly }))
      expect(users).toHaveLength(1)
      expect(users[0]).toMatchObject({ username: "guest", email: "guest@example.test" })
      expect(users[0]).not.toHaveProperty("is_admin")
    })

    it("filters by username, case-insensitively", async () => {
      expect(expectList(await call(w.app, "GET", "/api/v4/users?username=OWNER", { token: w.root.token })).map((u) => u.id)).toEqual([w.owner.id])
      expect(expectList(await call(w.app, "GET", "/api/v4/users?username=nobody", { token: w.root.token }))).toEqual([])
    })

    it("shows a user to admins and to themselves; to others it does not exist", async () => {
      expect(expectObject(await call(w.app, "GET", `/api/v4/users/${w.owner.id}`, { token: w.root.token }), 200)).toMatchObject({ username: "owner" })
      expect(expectObject(await call(w.app, "GET", `/api/v4/users/${w.owner.id}`, { token: w.owner.token }), 200)).toMatchObject({ email: "owner@example.test" })
      expectError(await call(w.app, "GET", `/api/v4/users/${w.owner.id}`, { token: w.guest.token }), 404, notFound("User"))
      expectError(await call(w.app, "GET", "/api/v4/users/99999", { token: w.root.token }), 404, notFound("User"))
      expectError(await call(w.app, "GET", "/api/v4/users/abc", { token: w.root.token }), 404, notFound("User"))
    })

    it("shows the caller at /user", async () => {
      const me = expectObject(await call(w.app, "GET", "/api/v4/user", { token: w.guestReadOnly }), 200)
      expect(me).toMatchObject({ id: w.guest.id, username: "guest", state: "active", two_factor_enabled: false })
    })
  })

  describe("blocking", () => {
    it("blocks and unblocks (201 true), and a blocked user's token stops working at once", async () => {
      const userId = Number(expectObject(await call(w.app, "POST", "/api/v4/users", { token: w.root.token, json: newUser("hal") }), 201).id)
      const token = String(expectObject(await call(w.app, "POST", `/api/v4/users/${userId}/personal_access_tokens`, {
        token: w.root.token, json: { name: "hal", scopes: ["api"] }
      }), 201).token)
      const block = await call(w.app, "POST", `/api/v4/users/${userId}/block`, { token: w.root.token })
      expect(block.statusCode).toBe(201)
      expect(block.json()).toBe(true)
      expect(expectObject(await call(w.app, "GET", `/api/v4/users/${userId}`, { token: w.root.token }), 200)).toMatchObject({ state: "blocked" })
      expect((await call(w.app, "GET", "/api/v4/user", { token })).statusCode).toBe(401)
      expect((await call(w.app, "POST", `/api/v4/users/${userId}/unblock`, { token: w.root.token })).statusCode).toBe(201)
      expect((await call(w.app, "GET", "/api/v4/user", { token })).statusCode).toBe(200)
    })

    it("refuses non-admins, an admin blocking themself, and unknown users", async () => {
      expectError(await call(w.app, "POST", `/api/v4/users/${w.guest.id}/block`, { token: w.owner.token }), 403, FORBIDDEN)
      expectError(await call(w.app, "POST", `/api/v4/users/${w.root.id}/block`, { token: w.root.token }), 403, FORBIDDEN)
      expectError(await call(w.app, "POST", "/api/v4/users/99999/unblock", { token: w.root.token }), 404, notFound("User"))
    })
  })

  describe("two-factor authentication", () => {
    it("enables and disables it (204), refusing a switch to the state it is already in", async () => {
      const userId = Number(expectObject(await call(w.app, "POST", "/api/v4/users", { token: w.root.token, json: newUser("ida") }), 201).id)
      expect((await call(w.app, "PATCH", `/api/v4/users/${userId}/enable_two_factor`, { token: w.root.token })).statusCode).toBe(204)
      expect(expectObject(await call(w.app, "GET", `/api/v4/users/${userId}`, { token: w.root.token }), 200)).toMatchObject({ two_factor_enabled: true })
      expectError(await call(w.app, "PATCH", `/api/v4/users/${userId}/enable_two_factor`, { token: w.root.token }), 400, {
        message: "400 Bad request - Two-factor authentication is already enabled for this user"
      })
      expect((await call(w.app, "PATCH", `/api/v4/users/${userId}/disable_two_factor`, { token: w.root.token })).statusCode).toBe(204)
      expectError(await call(w.app, "PATCH", `/api/v4/users/${userId}/disable_two_factor`, { token: w.root.token }), 400, {
        message: "400 Bad request - Two-factor authentication is not enabled for this user"
      })
    })

    it("is for admins only", async () => {
      expectError(await call(w.app, "PATCH", `/api/v4/users/${w.guest.id}/enable_two_factor`, { token: w.owner.token }), 403, FORBIDDEN)
      expectError(await call(w.app, "PATCH", "/api/v4/users/99999/disable_two_factor", { token: w.root.token }), 404, notFound("User"))
    })
  })
})
