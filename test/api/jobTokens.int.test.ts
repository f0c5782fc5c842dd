import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ApiWorld, apiWorld, call, expectError, expectObject, FORBIDDEN, notFound, num, text } from "./apiWorld.js"

describe("CI job tokens over the REST API", () => {
  let w: ApiWorld
  beforeAll(async () => {
    // No port in the URL: the CI variables must still carry one.
    w = await apiWorld({ externalUrl: "https://ci.example.test" })
  })
  afterAll(() => w.h.close())

  const create = (token: string, json: unknown, group = w.groups.deep) => call(w.app, "POST", `/api/v4/groups/${group}/job_tokens`, { token, json })

  it("gives an Owner the token and the job's five dependency proxy variables, port included", async () => {
    const body = expectObject(await create(w.owner.token, { user_id: w.guest.id }), 201)
    expect(Object.keys(body).sort()).toEqual(["expires_at", "group_id", "id", "token", "user_id", "variables"])
    const token = text(body, "token")
    expect(token).toMatch(/^glcbt-/)
    expect(body).toMatchObject({ user_id: w.guest.id, group_id: w.groups.deep })
    // An hour by default.
    expect(Date.parse(text(body, "expires_at")) - Date.now()).toBeGreaterThan(59 * 60 * 1000)
    expect(body.variables).toEqual({
      CI_DEPENDENCY_PROXY_USER: "gitlab-ci-token",
      CI_DEPENDENCY_PROXY_PASSWORD: token,
      CI_DEPENDENCY_PROXY_SERVER: "ci.example.test:443",
      CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: "ci.example.test:443/top/dependency_proxy/containers",
      CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX: "ci.example.test:443/top/sub/deep/dependency_proxy/containers"
    })
  })

  it("takes an expiry, and lets an admin create one in any group", async () => {
    const body = expectObject(await create(w.root.token, { user_id: w.outsider.id, expires_at: "2099-01-01T08:30:00+02:00" }, w.groups.other), 201)
    expect(body.expires_at).toBe("2099-01-01T06:30:00.000Z")
  })

  it("finishes a job (204), after which finishing again is refused", async () => {
    const id = num(expectObject(await create(w.owner.token, { user_id: w.guest.id }), 201), "id")
    expect((await call(w.app, "POST", `/api/v4/job_tokens/${id}/finish`, { token: w.owner.token })).statusCode).toBe(204)
    expectError(await call(w.app, "POST", `/api/v4/job_tokens/${id}/finish`, { token: w.owner.token }), 400, {
      message: `400 Bad request - token ${id} is already revoked`
    })
  })

  it("is for Owners and admins", async () => {
    expectError(await create(w.maintainer.token, { user_id: w.guest.id }), 403, FORBIDDEN)
    expectError(await create(w.outsider.token, { user_id: w.guest.id }), 404, notFound("Group"))
    expectError(await create(w.guestReadOnly, { user_id: w.guest.id }), 403, FORBIDDEN)
    const id = num(expectObject(await create(w.owner.token, { user_id: w.guest.id }), 201), "id")
    // A job of a group one does not own does not exist for the caller.
    expectError(await call(w.app, "POST", `/api/v4/job_tokens/${id}/finish`, { token: w.maintainer.token }), 404, notFound("Token"))
  })

  it("answers bad input, unknown users and ids that are not job tokens", async () => {
    expectError(await create(w.owner.token, {}), 400, { error: "user_id is missing" })
    expectError(await create(w.owner.token, { user_id: "guest" }), 400, { error: "user_id is invalid" })
    expectError(await create(w.owner.token, { user_id: w.guest.id, expires_at: "soon" }), 400, { error: "expires_at is invalid" })
    expectError(await create(w.owner.token, { user_id: w.guest.id, expires_at: "2001-01-01" }), 400, { message: { expires_at: ["must be in the future"] } })
    expectError(await create(w.owner.token, { user_id: 99999 }), 404, notFound("User"))
    const pat = expectObject(await call(w.app, "GET", "/api/v4/personal_access_tokens/self", { token: w.owner.token }), 200)
    expectError(await call(w.app, "POST", `/api/v4/job_tokens/${num(pat, "id")}/finish`, { token: w.root.token }), 404, notFound("Token"))
    expectError(await call(w.app, "POST", "/api/v4/job_tokens/99999/finish", { token: w.root.token }), 404, notFound("Token"))
  })
})
