import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { actorsOf, type ApiWorld, apiWorld, call, expectError, expectList, expectObject, FORBIDDEN, notFound, num } from "../support/worlds/apiWorld.js"

/** Routes GitLab clients call that only mirror GitLab: version, metadata, inherited members, memberships, all deploy tokens. */
describe("GitLab's routes beside the dependency proxy", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  const get = (url: string, token: string) => call(w.app, "GET", `/api/v4${url}`, { token })

  it("tells any signed-in user the product's version and metadata, nobody else", async () => {
    const version = expectObject(await get("/version", w.guestReadOnly), 200)
    expect(version).toEqual({ version: "0.1.0", revision: "dependency-proxy" })
    expect(expectObject(await get("/metadata", w.outsider.token), 200)).toEqual({
      version: "0.1.0",
      revision: "dependency-proxy",
      kas: { enabled: false, externalUrl: null, externalK8sProxyUrl: null, version: null },
      enterprise: false
    })
    expectError(await call(w.app, "GET", "/api/v4/version"), 401, { message: "401 Unauthorized" })
  })

  it("shows groups and users with GitLab's common fields", async () => {
    expect(expectObject(await get(`/groups/${w.groups.deep}`, w.guest.token), 200)).toMatchObject({
      full_name: "Top / Sub / Deep", description: "", visibility: "private", avatar_url: null, web_url: "http://registry.test:5000/groups/top/sub/deep"
    })
    expect(expectObject(await get("/user", w.guest.token), 200)).toMatchObject({
      avatar_url: null, web_url: "http://registry.test:5000/guest", locked: false
    })
  })

  it("finds one inherited member, with the highest role, and adds members by username", async () => {
    expect(expectObject(await get(`/groups/${w.groups.deep}/members/all/${w.maintainer.id}`, w.guest.token), 200)).toMatchObject({
      id: w.maintainer.id, username: "maintainer", access_level: 40
    })
    expectError(await get(`/groups/${w.groups.deep}/members/all/${w.outsider.id}`, w.guest.token), 404, notFound("Member"))
    expectError(await get(`/groups/${w.groups.deep}/members/all/${w.maintainer.id}`, w.outsider.token), 404, notFound("Group"))
    const added = await call(w.app, "POST", `/api/v4/groups/${w.groups.sub}/members`, { token: w.owner.token, json: { username: "Outsider", access_level: 20 } })
    expect(expectObject(added, 201)).toMatchObject({ id: w.outsider.id, access_level: 20 })
    const unknown = await call(w.app, "POST", `/api/v4/groups/${w.groups.sub}/members`, { token: w.owner.token, json: { username: "nobody", access_level: 20 } })
    expectError(unknown, 404, notFound("User"))
  })

  it("lets an Owner rename and describe a group (PUT), as the group's own events", async () => {
    const put = (token: string, json: unknown) => call(w.app, "PUT", `/api/v4/groups/${w.groups.sub}`, { token, json })
    expect(expectObject(await put(w.owner.token, { name: "Sub Renamed", path: "sub", description: "kept" }), 200)).toMatchObject({
      id: w.groups.sub, name: "Sub Renamed", path: "sub", full_path: "top/sub", description: "kept"
    })
    expect(expectObject(await get(`/groups/${w.groups.deep}`, w.guest.token), 200)).toMatchObject({ full_name: "Top / Sub Renamed / Deep" })
    expect((await actorsOf(w.h, `group-${w.groups.sub}`)).at(-1)).toBe(`user:${w.owner.id}`)
    expectError(await put(w.maintainer.token, { name: "Nope" }), 403, { message: "403 Forbidden - the Owner role is required" })
    const unseen = await call(w.app, "PUT", `/api/v4/groups/${w.groups.other}`, { token: w.outsider.token, json: { name: "Nope" } })
    expectError(unseen, 404, notFound("Group"))
    expectError(await put(w.owner.token, { name: "" }), 400, { message: { name: ["can't be blank"] } })
    expect(expectObject(await get(`/groups/${w.groups.sub}`, w.guest.token), 200)).toMatchObject({ name: "Sub Renamed" })
  })

  it("lists a user's memberships to an admin only", async () => {
    const memberships = expectList(await get(`/users/${w.owner.id}/memberships`, w.root.token))
    expect(memberships).toEqual([w.groups.top, w.groups.sub, w.groups.deep].map((id, i) => ({
      source_id: id, source_name: ["Top", "Sub Renamed", "Deep"][i], source_type: "Namespace", access_level: 50
    })))
    expect(expectList(await get(`/users/${w.owner.id}/memberships?type=Project`, w.root.token))).toEqual([])
    expectError(await get(`/users/${w.owner.id}/memberships`, w.owner.token), 403, FORBIDDEN)
    expectError(await get(`/users/${w.owner.id}/memberships?type=Group`, w.root.token), 400, { error: "type does not have a valid value" })
  })

  it("lists every deploy token of the instance to an admin only", async () => {
    const made = expectObject(await call(w.app, "POST", `/api/v4/groups/${w.groups.sub}/deploy_tokens`, { token: w.owner.token, json: { name: "ci", scopes: ["read_registry"] } }), 201)
    const all = expectList(await get("/deploy_tokens", w.root.token))
    expect(all.map((t) => [t["id"], t["group_id"], t["name"]])).toEqual([[num(made, "id"), w.groups.sub, "ci"]])
    expect(all[0]).not.toHaveProperty("token")
    expectError(await get("/deploy_tokens", w.owner.token), 403, FORBIDDEN)
  })
})

describe("DELETE /users/:id", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  it("lets an admin delete a user: memberships, tokens and the username go with them, as events", async () => {
    const del = (id: number, token = w.root.token) => call(w.app, "DELETE", `/api/v4/users/${id}`, { token })
    expectError(await del(w.maintainer.id, w.owner.token), 403, FORBIDDEN)
    expectError(await del(w.root.id), 403, { message: "403 Forbidden - an administrator cannot delete themselves" })
    // The owner is the only Owner of top: hand it over first.
    expectError(await del(w.owner.id), 400, { message: expect.stringContaining("400 Bad request") })
    expect(expectObject(await call(w.app, "GET", "/api/v4/user", { token: w.owner.token }), 200)).toMatchObject({ username: "owner" })

    expect((await del(w.maintainer.id)).statusCode).toBe(204)
    expectError(await call(w.app, "GET", `/api/v4/users/${w.maintainer.id}`, { token: w.root.token }), 404, notFound("User"))
    expectError(await call(w.app, "GET", "/api/v4/user", { token: w.maintainer.token }), 401, { message: "401 Unauthorized" })
    expectError(await call(w.app, "GET", `/api/v4/groups/${w.groups.top}/members/${w.maintainer.id}`, { token: w.root.token }), 404, notFound("Member"))
    const tokens = expectList(await call(w.app, "GET", `/api/v4/personal_access_tokens?user_id=${w.maintainer.id}`, { token: w.root.token }))
    expect(tokens.map((t) => t["revoked"])).toEqual([true])
    expect(await actorsOf(w.h, `user-${w.maintainer.id}`)).toEqual(["system:test", `user:${w.root.id}`])
    expectError(await del(w.maintainer.id), 404, notFound("User"))

    // The username is free again.
    const again = await call(w.app, "POST", "/api/v4/users", {
      token: w.root.token,
      json: { username: "maintainer", email: "maintainer2@example.test", name: "Again", password: "maintainer-again-1" }
    })
    expect(expectObject(again, 201)).toMatchObject({ username: "maintainer" })
    expect(num(expectObject(again, 201), "id")).not.toBe(w.maintainer.id)
  })
})
