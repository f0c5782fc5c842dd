import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { requestToken, scopeFor } from "../support/registryApp.js"
import { type ApiWorld, apiWorld, call, expectError, expectList, expectObject, FORBIDDEN, notFound, num, text } from "../support/worlds/apiWorld.js"

const DEPLOY_FIELDS = ["expired", "expires_at", "id", "name", "revoked", "scopes", "username"]

describe("group deploy tokens over the REST API", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  const url = (group: number) => `/api/v4/groups/${group}/deploy_tokens`
  const create = (token: string, json: unknown, group = w.groups.top) => call(w.app, "POST", url(group), { token, json })

  it("lets an Owner create one, shown once, that pulls through the group and its subgroups until revoked", async () => {
    const body = expectObject(await create(w.owner.token, { name: "ci", scopes: ["read_registry"], username: "ci-puller", expires_at: "2099-06-01T12:00:00Z" }), 201)
    expect(Object.keys(body).sort()).toEqual([...DEPLOY_FIELDS, "token"].sort())
    expect(body).toMatchObject({ name: "ci", username: "ci-puller", scopes: ["read_registry"], expires_at: "2099-06-01T12:00:00.000Z", revoked: false, expired: false })
    const plaintext = text(body, "token")
    expect(plaintext).toMatch(/^gldt-/)
    const scope = [scopeFor("top/sub", "alpine")]
    expect((await requestToken(w.app, "ci-puller", plaintext, scope)).statusCode).toBe(200)

    expect((await call(w.app, "DELETE", `${url(w.groups.top)}/${num(body, "id")}`, { token: w.owner.token })).statusCode).toBe(204)
    expect((await requestToken(w.app, "ci-puller", plaintext, scope)).statusCode).toBe(403)
    expect(expectObject(await call(w.app, "GET", `${url(w.groups.top)}/${num(body, "id")}`, { token: w.owner.token }), 200)).toMatchObject({ revoked: true })
  })

  it("names the token gitlab+deploy-token-<id> when no username is given; an admin may create one too", async () => {
    const body = expectObject(await create(w.root.token, { name: "default", scopes: "read_registry,read_package_registry" }), 201)
    expect(body).toMatchObject({ username: `gitlab+deploy-token-${num(body, "id")}`, expires_at: null, scopes: ["read_registry", "read_package_registry"] })
  })

  it("lists and shows a group's deploy tokens without their plaintext", async () => {
    const created = expectObject(await create(w.owner.token, { name: "listed", scopes: ["read_registry"] }, w.groups.sub), 201)
    const list = expectList(await call(w.app, "GET", url(w.groups.sub), { token: w.owner.token }))
    expect(list.map((t) => t.id)).toEqual([created.id])
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(DEPLOY_FIELDS)
    expect(JSON.stringify(list)).not.toContain(text(created, "token"))
  })

  it("is for Owners: Maintainers and Guests get 403, outsiders 404, read_api tokens 403 on writes", async () => {
    const json = { name: "x", scopes: ["read_registry"] }
    expectError(await create(w.maintainer.token, json), 403, FORBIDDEN)
    expectError(await call(w.app, "GET", url(w.groups.top), { token: w.guest.token }), 403, FORBIDDEN)
    expectError(await create(w.outsider.token, json), 404, notFound("Group"))
    expectError(await call(w.app, "GET", url(w.groups.top), { token: w.outsider.token }), 404, notFound("Group"))
    expectError(await create(w.guestReadOnly, json), 403, FORBIDDEN)
  })

  it("answers bad input with the parameter or field named", async () => {
    expectError(await create(w.owner.token, {}), 400, { error: "name is missing, scopes is missing" })
    expectError(await create(w.owner.token, { name: "x", scopes: ["api"] }), 400, { message: { scopes: ["api not allowed for deploy tokens"] } })
    expectError(await create(w.owner.token, { name: "x", scopes: ["read_registry"], username: "no spaces" }), 400, {
      message: { username: ["can contain only letters, digits, '_', '-', '.' and '+'"] }
    })
    expectError(await create(w.owner.token, { name: "x", scopes: ["read_registry"], expires_at: "2099-01-01T10:00" }), 400, { error: "expires_at is invalid" })
    expectError(await create(w.owner.token, { name: "x", scopes: ["read_registry"], expires_at: "2001-01-01" }), 400, { message: { expires_at: ["must be in the future"] } })
    expectError(await create(w.owner.token, { name: "x".repeat(256), scopes: ["read_registry"] }), 400, { message: { name: ["is too long (maximum is 255 characters)"] } })
  })

  it("answers 404 Token Not Found for another group's token, unknown ids and ids that are not numbers", async () => {
    const elsewhere = expectObject(await create(w.root.token, { name: "other's", scopes: ["read_registry"] }, w.groups.other), 201)
    expectError(await call(w.app, "DELETE", `${url(w.groups.top)}/${num(elsewhere, "id")}`, { token: w.owner.token }), 404, notFound("Token"))
    expectError(await call(w.app, "DELETE", `${url(w.groups.top)}/99999`, { token: w.owner.token }), 404, notFound("Token"))
    expectError(await call(w.app, "GET", `${url(w.groups.top)}/abc`, { token: w.owner.token }), 404, notFound("Token"))
  })
})
