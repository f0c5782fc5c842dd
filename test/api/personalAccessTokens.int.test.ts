import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { actorsOf, type ApiWorld, apiWorld, call, expectError, expectList, expectObject, FORBIDDEN, notFound, num, text, tokenFor } from "../support/worlds/apiWorld.js"

/** `YYYY-MM-DD`, `n` days from now (UTC), as `expires_at` is written. */
const dayIn = (n: number) => new Date(Date.now() + n * 24 * 3600 * 1000).toISOString().slice(0, 10)

const TOKEN_FIELDS = ["active", "created_at", "expires_at", "id", "last_used_at", "name", "revoked", "scopes", "user_id"]

describe("personal access tokens over the REST API", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  const create = (token: string, url: string, json: unknown) => call(w.app, "POST", `/api/v4${url}`, { token, json })

  describe("creating", () => {
    it("lets an admin create one for any user, shown once with its plaintext", async () => {
      const body = expectObject(await create(w.root.token, `/users/${w.outsider.id}/personal_access_tokens`, {
        name: "for outsider", scopes: ["read_registry"], expires_at: dayIn(30)
      }), 201)
      expect(Object.keys(body).sort()).toEqual([...TOKEN_FIELDS, "token"].sort())
      expect(body).toMatchObject({ name: "for outsider", scopes: ["read_registry"], user_id: w.outsider.id, expires_at: dayIn(30), revoked: false, active: true, last_used_at: null })
      expect(text(body, "token")).toMatch(/^glpat-/)
      expect(await actorsOf(w.h, `token-${num(body, "id")}`)).toEqual([`user:${w.root.id}`])
    })

    it("lets a user create their own, with scopes as a list, a comma-separated string or form fields", async () => {
      const list = expectObject(await create(w.guest.token, "/user/personal_access_tokens", { name: "mine", scopes: ["read_api", "read_registry"] }), 201)
      // No expiry asked for: the longest allowed (365 days by default), as GitLab does.
      expect(list).toMatchObject({ user_id: w.guest.id, scopes: ["read_api", "read_registry"], expires_at: dayIn(365) })
      const comma = expectObject(await create(w.guest.token, "/user/personal_access_tokens", { name: "mine", scopes: "read_api,read_registry" }), 201)
      expect(comma.scopes).toEqual(["read_api", "read_registry"])
      const form = await call(w.app, "POST", "/api/v4/user/personal_access_tokens", {
        token: w.guest.token,
        form: `name=mine&scopes[]=api&scopes[]=read_registry&expires_at=${dayIn(10)}`
      })
      expect(expectObject(form, 201)).toMatchObject({ scopes: ["api", "read_registry"], expires_at: dayIn(10) })
    })

    it("refuses a lifetime over the instance's limit, and a token wider than the calling one", async () => {
      expectError(await create(w.guest.token, "/user/personal_access_tokens", { name: "x", scopes: ["api"], expires_at: dayIn(400) }), 400, {
        message: { expires_at: ["must be at most 365 days from now"] }
      })
      const narrow = await tokenFor(w.h, w.guest.id, ["api", "read_registry"])
      // `api` covers the registry scopes, never `sudo` or `admin_mode`.
      expectObject(await create(narrow, "/user/personal_access_tokens", { name: "ok", scopes: ["read_registry", "write_registry", "read_api"] }), 201)
      expectError(await create(narrow, "/user/personal_access_tokens", { name: "x", scopes: ["sudo"] }), 403, {
        message: "403 Forbidden - the calling token cannot grant sudo"
      })
      // An admin making a token for a user is not held to their own token's scopes.
      expectObject(await create(w.root.token, `/users/${w.guest.id}/personal_access_tokens`, { name: "ok", scopes: ["sudo"] }), 201)
    })

    it("refuses non-admins creating for others, read_api tokens, and unknown users", async () => {
      expectError(await create(w.owner.token, `/users/${w.guest.id}/personal_access_tokens`, { name: "x", scopes: ["api"] }), 403, FORBIDDEN)
      expectError(await create(w.guestReadOnly, "/user/personal_access_tokens", { name: "x", scopes: ["api"] }), 403, FORBIDDEN)
      expectError(await create(w.root.token, "/users/99999/personal_access_tokens", { name: "x", scopes: ["api"] }), 404, notFound("User"))
    })

    it("answers bad input with the parameter or field named", async () => {
      const url = "/user/personal_access_tokens"
      expectError(await create(w.guest.token, url, {}), 400, { error: "name is missing, scopes is missing" })
      expectError(await create(w.guest.token, url, { name: "x", scopes: [1, 2] }), 400, { error: "scopes is invalid" })
      expectError(await create(w.guest.token, url, { name: "x", scopes: ["api"], expires_at: "tomorrow" }), 400, { error: "expires_at is invalid" })
      expectError(await create(w.guest.token, url, { name: "x", scopes: ["api"], expires_at: "2099-02-30" }), 400, { error: "expires_at is invalid" })
      expectError(await create(w.guest.token, url, { name: "x", scopes: ["api"], expires_at: "2000-01-01" }), 400, { message: { expires_at: ["must be in the future"] } })
      expectError(await create(w.guest.token, url, { name: "x", scopes: ["root_everything"] }), 400, { message: { scopes: ["root_everything not allowed for personal tokens"] } })
      expectError(await create(w.guest.token, url, { name: "x", scopes: [] }), 400, { message: { scopes: ["can't be blank"] } })
      expectError(await create(w.guest.token, url, { name: " ", scopes: ["api"] }), 400, { message: { name: ["can't be blank"] } })
      expectError(await create(w.guest.token, url, { name: "n".repeat(256), scopes: ["api"] }), 400, { message: { name: ["is too long (maximum is 255 characters)"] } })
    })
  })

  describe("listing and reading", () => {
    it("lists the caller's own tokens, never their plaintext", async () => {
      const tokens = expectList(await call(w.app, "GET", "/api/v4/personal_access_tokens", { token: w.maintainer.token }))
      expect(tokens.length).toBeGreaterThan(0)
      for (const t of tokens) {
        expect(t.user_id).toBe(w.maintainer.id)
        expect(Object.keys(t).sort()).toEqual(TOKEN_FIELDS)
      }
    })

    it("lets admins list another user's tokens, and no one else", async () => {
      const tokens = expectList(await call(w.app, "GET", `/api/v4/personal_access_tokens?user_id=${w.owner.id}`, { token: w.root.token }))
      expect(tokens.map((t) => t.user_id)).toEqual(tokens.map(() => w.owner.id))
      expectError(await call(w.app, "GET", `/api/v4/personal_access_tokens?user_id=${w.owner.id}`, { token: w.guest.token }), 403, FORBIDDEN)
      expectError(await call(w.app, "GET", "/api/v4/personal_access_tokens?user_id=abc", { token: w.root.token }), 400, { error: "user_id is invalid" })
    })

    it("shows one token to its owner and admins; to others it does not exist", async () => {
      const id = num(expectObject(await create(w.owner.token, "/user/personal_access_tokens", { name: "o", scopes: ["api"] }), 201), "id")
      expect(expectObject(await call(w.app, "GET", `/api/v4/personal_access_tokens/${id}`, { token: w.owner.token }), 200)).toMatchObject({ id, name: "o" })
      expect(expectObject(await call(w.app, "GET", `/api/v4/personal_access_tokens/${id}`, { token: w.root.token }), 200)).toMatchObject({ id })
      expectError(await call(w.app, "GET", `/api/v4/personal_access_tokens/${id}`, { token: w.guest.token }), 404, notFound("Token"))
      expectError(await call(w.app, "GET", "/api/v4/personal_access_tokens/99999", { token: w.root.token }), 404, notFound("Token"))
      expectError(await call(w.app, "GET", "/api/v4/personal_access_tokens/x1", { token: w.root.token }), 404, notFound("Token"))
    })
  })

  describe("revoking", () => {
    it("revokes one's own token (204): it stops working and shows as revoked", async () => {
      const plaintext = text(expectObject(await create(w.guest.token, "/user/personal_access_tokens", { name: "r", scopes: ["api"] }), 201), "token")
      const self = expectObject(await call(w.app, "GET", "/api/v4/personal_access_tokens/self", { token: plaintext }), 200)
      expect((await call(w.app, "DELETE", `/api/v4/personal_access_tokens/${num(self, "id")}`, { token: w.guest.token })).statusCode).toBe(204)
      expect((await call(w.app, "GET", "/api/v4/user", { token: plaintext })).statusCode).toBe(401)
      expect(expectObject(await call(w.app, "GET", `/api/v4/personal_access_tokens/${num(self, "id")}`, { token: w.guest.token }), 200)).toMatchObject({
        revoked: true, active: false
      })
      expectError(await call(w.app, "DELETE", `/api/v4/personal_access_tokens/${num(self, "id")}`, { token: w.guest.token }), 400, {
        message: `400 Bad request - token ${num(self, "id")} is already revoked`
      })
    })

    it("revokes the calling token itself with DELETE /personal_access_tokens/self", async () => {
      const plaintext = await tokenFor(w.h, w.maintainer.id)
      expect((await call(w.app, "DELETE", "/api/v4/personal_access_tokens/self", { token: plaintext })).statusCode).toBe(204)
      expect((await call(w.app, "GET", "/api/v4/user", { token: plaintext })).statusCode).toBe(401)
    })

    it("lets an admin revoke anyone's token; others' tokens do not exist for a user", async () => {
      const id = num(expectObject(await create(w.owner.token, "/user/personal_access_tokens", { name: "victim", scopes: ["api"] }), 201), "id")
      expectError(await call(w.app, "DELETE", `/api/v4/personal_access_tokens/${id}`, { token: w.guest.token }), 404, notFound("Token"))
      expect((await call(w.app, "DELETE", `/api/v4/personal_access_tokens/${id}`, { token: w.root.token })).statusCode).toBe(204)
    })
  })
})
