import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AccessLevels } from "../../src/domain/AccessLevel.js"
import { addMember, addUser, type ApiWorld, apiWorld, call, expectError, expectObject, notFound, text, tokenFor } from "../support/worlds/apiWorld.js"
import { manifestPath, pullManifest, requestToken, scopeFor } from "../support/registryApp.js"

/**
 * Deleting a group is an Owner's act (or an administrator's): below Owner, the answer is 403 and the group
 * stays. Once deleted, nothing that belonged to it opens anything: its deploy token is refused at sign-in,
 * and a registry JWT issued before the deletion is refused on its next request, not when it expires.
 */
describe("deleting a group", () => {
  let w: ApiWorld
  let developer: string
  beforeAll(async () => {
    w = await apiWorld()
    const developerId = await addUser(w.h, "developer")
    await addMember(w.h, w.groups.top, developerId, AccessLevels.developer)
    developer = await tokenFor(w.h, developerId)
  })
  afterAll(() => w.h.close())

  const del = (id: number, token: string) => call(w.app, "DELETE", `/api/v4/groups/${id}`, { token })

  it("is refused to Maintainers, Developers and Guests, and the group stays", async () => {
    for (const token of [w.maintainer.token, developer, w.guest.token]) {
      expectError(await del(w.groups.sub, token), 403, { message: "403 Forbidden - the Owner role is required" })
      expectError(await del(w.groups.top, token), 403, { message: "403 Forbidden - the Owner role is required" })
    }
    expectError(await del(w.groups.top, w.outsider.token), 404, notFound("Group"))
    expectError(await del(w.groups.top, w.guestReadOnly), 403, { message: expect.stringContaining("403 Forbidden") })
    expect(expectObject(await call(w.app, "GET", `/api/v4/groups/${w.groups.sub}`, { token: w.guest.token }), 200)).toMatchObject({ path: "sub" })
  })

  it("leaves its tokens and the JWTs issued to them unable to pull", async () => {
    const deploy = expectObject(await call(w.app, "POST", `/api/v4/groups/${w.groups.sub}/deploy_tokens`, {
      token: w.owner.token, json: { name: "ci", scopes: ["read_registry"] }
    }), 201)
    const username = text(deploy, "username")
    const secret = text(deploy, "token")
    const issued = await requestToken(w.app, username, secret, [scopeFor("top/sub", "alpine")])
    expect(issued.statusCode).toBe(200)
    const jwt = issued.json<{ token: string }>().token
    const pullWithJwt = () =>
      w.app.inject({ method: "GET", url: manifestPath("top/sub", "alpine", "3.19"), headers: { authorization: `Bearer ${jwt}` } })
    expect((await pullWithJwt()).statusCode).toBe(200)

    expect((await del(w.groups.sub, w.owner.token)).statusCode).toBe(202)

    const withJwt = await pullWithJwt()
    expect(withJwt.statusCode).toBe(401)
    expect(withJwt.json()).toMatchObject({ errors: [{ code: "UNAUTHORIZED", message: "authentication required: the token has been revoked" }] })
    const signIn = await pullManifest(w.app, username, secret, "top/sub", "alpine", "3.19")
    expect(signIn.statusCode).toBe(403)
    expect(signIn.json()).toMatchObject({ errors: [{ code: "DENIED", message: expect.stringContaining("revoked") }] })
    // A group made at the same path afterwards is not the deleted one's: the old token stays refused there.
    const again = expectObject(await call(w.app, "POST", "/api/v4/groups", { token: w.owner.token, json: { name: "Sub", path: "sub", parent_id: w.groups.top } }), 201)
    expect(again["full_path"]).toBe("top/sub")
    expect((await pullManifest(w.app, username, secret, "top/sub", "alpine", "3.19")).statusCode).toBe(403)
  })
})
