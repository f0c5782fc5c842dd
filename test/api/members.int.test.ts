import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { actorsOf, addUser, type ApiWorld, apiWorld, call, eventsOf, expectError, expectList, expectObject, FORBIDDEN, notFound } from "../support/worlds/apiWorld.js"

describe("group members over the REST API", () => {
  let w: ApiWorld
  let newcomer = 0
  beforeAll(async () => {
    w = await apiWorld()
    newcomer = await addUser(w.h, "newcomer")
  })
  afterAll(() => w.h.close())

  const members = (group: number) => `/api/v4/groups/${group}/members`

  it("lists direct members to Guests and up, with their roles", async () => {
    const list = expectList(await call(w.app, "GET", members(w.groups.top), { token: w.guestReadOnly }))
    expect(list.map((m) => [m.username, m.access_level])).toEqual([["owner", 50], ["maintainer", 40], ["guest", 10]])
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(["access_level", "avatar_url", "created_at", "expires_at", "id", "name", "state", "username", "web_url"])
    expectError(await call(w.app, "GET", members(w.groups.top), { token: w.outsider.token }), 404, notFound("Group"))
  })

  it("lists inherited members too under members/all, and one member by id", async () => {
    const all = expectList(await call(w.app, "GET", `${members(w.groups.deep)}/all`, { token: w.guest.token }))
    expect(all.map((m) => m.username)).toEqual(["owner", "maintainer", "guest"])
    expect(expectObject(await call(w.app, "GET", `${members(w.groups.top)}/${w.guest.id}`, { token: w.guest.token }), 200)).toMatchObject({ access_level: 10 })
    expectError(await call(w.app, "GET", `${members(w.groups.deep)}/${w.guest.id}`, { token: w.guest.token }), 404, notFound("Member"))
  })

  it("lets an Owner add (201), change (200) and remove (204) a member, recorded as theirs", async () => {
    const added = expectObject(await call(w.app, "POST", members(w.groups.sub), { token: w.owner.token, json: { user_id: newcomer, access_level: 30 } }), 201)
    expect(added).toMatchObject({ id: newcomer, username: "newcomer", access_level: 30, state: "active" })
    const changed = await call(w.app, "PUT", `${members(w.groups.sub)}/${newcomer}`, { token: w.owner.token, form: "access_level=20" })
    expect(expectObject(changed, 200)).toMatchObject({ access_level: 20 })
    expect((await call(w.app, "DELETE", `${members(w.groups.sub)}/${newcomer}`, { token: w.owner.token })).statusCode).toBe(204)
    expect(expectList(await call(w.app, "GET", members(w.groups.sub), { token: w.owner.token })).map((m) => m.id)).not.toContain(newcomer)
    expect((await actorsOf(w.h, `group-${w.groups.sub}`)).slice(-3)).toEqual([`user:${w.owner.id}`, `user:${w.owner.id}`, `user:${w.owner.id}`])
  })

  it("lets an admin manage members of any group", async () => {
    expectObject(await call(w.app, "POST", members(w.groups.other), { token: w.root.token, json: { user_id: newcomer, access_level: 10 } }), 201)
  })

  it("refuses changes to Maintainers and Guests (403), outsiders (404) and read_api tokens (403)", async () => {
    const json = { user_id: newcomer, access_level: 10 }
    expectError(await call(w.app, "POST", members(w.groups.top), { token: w.maintainer.token, json }), 403, FORBIDDEN)
    expectError(await call(w.app, "PUT", `${members(w.groups.top)}/${w.guest.id}`, { token: w.guest.token, json: { access_level: 50 } }), 403, FORBIDDEN)
    expectError(await call(w.app, "DELETE", `${members(w.groups.top)}/${w.guest.id}`, { token: w.outsider.token }), 404, notFound("Group"))
    expectError(await call(w.app, "POST", members(w.groups.top), { token: w.guestReadOnly, json }), 403, FORBIDDEN)
  })

  it("takes GitLab's expires_at on add and update; a past day changes nothing and names the field; null clears it", async () => {
    const one = `${members(w.groups.sub)}/${newcomer}`
    const added = expectObject(await call(w.app, "POST", members(w.groups.sub), { token: w.owner.token, json: { user_id: newcomer, access_level: 30, expires_at: "2099-01-31" } }), 201)
    expect(added).toMatchObject({ id: newcomer, access_level: 30, expires_at: "2099-01-31" })
    // A past day: refused before the role changes, so neither changes.
    const past = await call(w.app, "PUT", one, { token: w.owner.token, json: { access_level: 20, expires_at: "2001-02-03" } })
    expect(past.statusCode).toBe(400)
    expect(past.body).toContain("expires_at")
    expect(expectObject(await call(w.app, "GET", one, { token: w.owner.token }), 200)).toMatchObject({ access_level: 30, expires_at: "2099-01-31" })
    // Form-encoded, as python-gitlab sends it: role and day together.
    expect(expectObject(await call(w.app, "PUT", one, { token: w.owner.token, form: "access_level=20&expires_at=2098-12-01" }), 200))
      .toMatchObject({ access_level: 20, expires_at: "2098-12-01" })
    // Both changes in one append: together or not at all.
    const [role, day] = (await eventsOf(w.h, `group-${w.groups.sub}`)).slice(-2)
    expect([role?.type, day?.type]).toEqual(["MemberAccessLevelChanged", "MemberExpiryChanged"])
    expect(role?.transactionId).toBe(day?.transactionId)
    // Without expires_at the day stays; with null it is cleared.
    expect(expectObject(await call(w.app, "PUT", one, { token: w.owner.token, json: { access_level: 10 } }), 200)).toMatchObject({ access_level: 10, expires_at: "2098-12-01" })
    expect(expectObject(await call(w.app, "PUT", one, { token: w.owner.token, json: { access_level: 10, expires_at: null } }), 200)).toMatchObject({ expires_at: null })
    expectError(await call(w.app, "POST", members(w.groups.other), { token: w.root.token, json: { user_id: w.guest.id, access_level: 10, expires_at: "tomorrow" } }), 400, { error: "expires_at is invalid" })
    const refusedAdd = await call(w.app, "POST", members(w.groups.other), { token: w.root.token, json: { user_id: w.guest.id, access_level: 10, expires_at: "2001-02-03" } })
    expect(refusedAdd.statusCode).toBe(400)
    expect(expectList(await call(w.app, "GET", members(w.groups.other), { token: w.root.token })).map((m) => m.id)).not.toContain(w.guest.id)
    expect((await call(w.app, "DELETE", one, { token: w.owner.token })).statusCode).toBe(204)
  })

  it("answers bad input with the parameter named", async () => {
    const add = (json: unknown) => call(w.app, "POST", members(w.groups.top), { token: w.owner.token, json })
    expectError(await add({}), 400, { error: "access_level is missing, user_id, username are missing, exactly one parameter must be provided" })
    expectError(await add({ user_id: newcomer, username: "guest", access_level: 10 }), 400, { error: "user_id, username are mutually exclusive" })
    expectError(await add({ user_id: newcomer, access_level: 35 }), 400, { error: "access_level does not have a valid value" })
    expectError(await add({ user_id: newcomer, access_level: "owner" }), 400, { error: "access_level does not have a valid value" })
    expectError(await add({ user_id: 1.5, access_level: 10 }), 400, { error: "user_id is invalid" })
    expectError(await add({ user_id: "9".repeat(40), access_level: 10 }), 400, { error: "user_id is invalid" })
    expectError(await call(w.app, "PUT", `${members(w.groups.top)}/${w.guest.id}`, { token: w.owner.token, json: {} }), 400, { error: "access_level is missing" })
  })

  it("answers unknown users, non-members and duplicates", async () => {
    expectError(await call(w.app, "POST", members(w.groups.top), { token: w.owner.token, json: { user_id: 99999, access_level: 10 } }), 404, notFound("User"))
    expectError(await call(w.app, "POST", members(w.groups.top), { token: w.owner.token, json: { user_id: w.guest.id, access_level: 10 } }), 409, {
      message: "Member already exists"
    })
    expectError(await call(w.app, "PUT", `${members(w.groups.top)}/${w.outsider.id}`, { token: w.owner.token, json: { access_level: 10 } }), 404, notFound("Member"))
    expectError(await call(w.app, "DELETE", `${members(w.groups.top)}/${w.outsider.id}`, { token: w.owner.token }), 404, notFound("Member"))
  })

  it("keeps the last Owner of a top-level group", async () => {
    const lastOwner = { message: "400 Bad request - a top-level group must keep at least one Owner" }
    expectError(await call(w.app, "PUT", `${members(w.groups.top)}/${w.owner.id}`, { token: w.owner.token, json: { access_level: 40 } }), 400, lastOwner)
    expectError(await call(w.app, "DELETE", `${members(w.groups.top)}/${w.owner.id}`, { token: w.root.token }), 400, lastOwner)
  })
})
