import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createDeployToken } from "../../src/application/useCases/accessTokens.js"
import { revokeToken } from "../../src/application/useCases/tokenLifecycle.js"
import { type ApiWorld, apiWorld, addUser, blockUser, call, expectError, expectObject, FORBIDDEN, tokenFor, UNAUTHORIZED } from "../support/worlds/apiWorld.js"

describe("API authentication and token scopes", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  it("takes a personal access token as PRIVATE-TOKEN or as a Bearer token", async () => {
    const privateToken = await call(w.app, "GET", "/api/v4/user", { headers: { "private-token": w.guest.token } })
    expect(expectObject(privateToken, 200)).toMatchObject({ username: "guest" })
    expect(expectObject(await call(w.app, "GET", "/api/v4/user", { token: w.guest.token }), 200)).toMatchObject({ username: "guest" })
  })

  it("answers 401 without a token, with an unknown one, or with a Basic header", async () => {
    expectError(await call(w.app, "GET", "/api/v4/user"), 401, UNAUTHORIZED)
    expectError(await call(w.app, "GET", "/api/v4/user", { token: "glpat-not-a-real-token" }), 401, UNAUTHORIZED)
    expectError(await call(w.app, "GET", "/api/v4/groups", { headers: { authorization: "Basic Z3Vlc3Q6Z3Vlc3QtcGFzc3dvcmQ=" } }), 401, UNAUTHORIZED)
    expectError(await call(w.app, "POST", "/api/v4/groups", { json: { name: "x", path: "x" } }), 401, UNAUTHORIZED)
  })

  it("refuses revoked tokens, blocked users' tokens, and tokens that are not personal", async () => {
    const victim = await addUser(w.h, "soon-blocked")
    const blockedToken = await tokenFor(w.h, victim)
    await blockUser(w.h, victim)
    expectError(await call(w.app, "GET", "/api/v4/user", { token: blockedToken }), 401, UNAUTHORIZED)

    const revoked = await tokenFor(w.h, w.guest.id)
    expect((await call(w.app, "GET", "/api/v4/user", { token: revoked })).statusCode).toBe(200)
    const listed = await call(w.app, "GET", "/api/v4/personal_access_tokens/self", { token: revoked })
    await w.h.run(revokeToken(Number(expectObject(listed, 200).id)))
    expectError(await call(w.app, "GET", "/api/v4/user", { token: revoked }), 401, UNAUTHORIZED)

    const deploy = await w.h.run(createDeployToken({ groupId: w.groups.top, name: "d", username: null, scopes: ["read_registry"], expiresAt: null }))
    expectError(await call(w.app, "GET", "/api/v4/groups", { token: deploy.token }), 401, UNAUTHORIZED)
  })

  it("lets a read_api token read but not write, and a registry-only token do neither", async () => {
    expect((await call(w.app, "GET", "/api/v4/groups", { token: w.guestReadOnly })).statusCode).toBe(200)
    expectError(await call(w.app, "POST", "/api/v4/groups", { token: w.guestReadOnly, json: { name: "x", path: "x" } }), 403, FORBIDDEN)
    expectError(await call(w.app, "DELETE", `/api/v4/personal_access_tokens/self`, { token: w.guestReadOnly }), 403, FORBIDDEN)
    expectError(await call(w.app, "GET", "/api/v4/groups", { token: w.guestRegistryOnly }), 403, FORBIDDEN)
  })

  it("records the token's last use", async () => {
    const fresh = await tokenFor(w.h, w.outsider.id)
    const self = expectObject(await call(w.app, "GET", "/api/v4/personal_access_tokens/self", { token: fresh }), 200)
    expect(self.last_used_at).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/))
  })
})

describe("API requests Fastify refuses before a handler", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  it("answers unknown API paths with GitLab's 404", async () => {
    expectError(await call(w.app, "GET", "/api/v4/projects", { token: w.root.token }), 404, { message: "404 Not Found" })
  })

  it("answers unreadable JSON 400 without echoing the body", async () => {
    const response = await call(w.app, "POST", "/api/v4/users", {
      token: w.root.token,
      headers: { "content-type": "application/json" },
      form: "{\"password\": \"secret-in-a-broken-body\""
    })
    expectError(response, 400, { error: "body is invalid: it must be JSON or form fields" })
  })

  it("answers a JSON body that is not an object 400", async () => {
    expectError(await call(w.app, "POST", "/api/v4/groups", { token: w.root.token, json: ["top"] }), 400, { error: "body must be an object of parameters" })
  })

  it("answers bodies over 64 KiB 413 and unknown content types 415", async () => {
    const huge = await call(w.app, "POST", "/api/v4/groups", { token: w.root.token, json: { name: "x".repeat(70_000), path: "x" } })
    expectError(huge, 413, { message: "413 Payload Too Large" })
    const xml = await call(w.app, "POST", "/api/v4/groups", { token: w.root.token, headers: { "content-type": "application/xml" }, form: "<group/>" })
    expectError(xml, 415, { message: "415 Unsupported Media Type" })
  })
})
