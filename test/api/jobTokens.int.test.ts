import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ApiWorld, apiWorld, call, expectError, expectObject, FORBIDDEN, notFound, num, text } from "../support/worlds/apiWorld.js"

/** SPEC §7: job tokens are minted by an administrator (the CI system), for a Developer or more, for a day at most. */
describe("CI job tokens over the REST API", () => {
  let w: ApiWorld
  beforeAll(async () => {
    // No port in the URL: the CI variables must still carry one.
    w = await apiWorld({ externalUrl: "https://ci.example.test" })
  })
  afterAll(() => w.h.close())

  const create = (token: string, json: unknown, group = w.groups.deep) => call(w.app, "POST", `/api/v4/groups/${group}/job_tokens`, { token, json })
  const forbidden = (reason: string) => ({ message: `403 Forbidden - ${reason}` })

  it("gives an admin the token and the job's five dependency proxy variables, port included", async () => {
    const body = expectObject(await create(w.root.token, { user_id: w.maintainer.id }), 201)
    expect(Object.keys(body).sort()).toEqual(["expires_at", "group_id", "id", "token", "user_id", "variables"])
    const token = text(body, "token")
    expect(token).toMatch(/^glcbt-/)
    expect(body).toMatchObject({ user_id: w.maintainer.id, group_id: w.groups.deep })
    // An hour by default.
    const lifetime = Date.parse(text(body, "expires_at")) - Date.now()
    expect(lifetime).toBeGreaterThan(59 * 60 * 1000)
    expect(lifetime).toBeLessThanOrEqual(60 * 60 * 1000)
    expect(body.variables).toEqual({
      CI_DEPENDENCY_PROXY_USER: "gitlab-ci-token",
      CI_DEPENDENCY_PROXY_PASSWORD: token,
      CI_DEPENDENCY_PROXY_SERVER: "ci.example.test:443",
      CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: "ci.example.test:443/top/dependency_proxy/containers",
      CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX: "ci.example.test:443/top/sub/deep/dependency_proxy/containers"
    })
  })

  it("takes an expiry up to a day ahead, and no further", async () => {
    const soon = new Date(Date.now() + 2 * 3600 * 1000)
    soon.setUTCMilliseconds(0)
    const body = expectObject(await create(w.root.token, { user_id: w.owner.id, expires_at: soon.toISOString() }), 201)
    expect(body.expires_at).toBe(soon.toISOString())
    expectError(await create(w.root.token, { user_id: w.owner.id, expires_at: "2099-01-01T08:30:00+02:00" }), 400, {
      message: { expires_at: ["must be at most 24 hours from now"] }
    })
  })

  it("is for a user who may run jobs in the group: Developer or more, directly or inherited", async () => {
    const needsDeveloper = forbidden("the job's user needs at least the Developer role in the group")
    // The guest has only Guest in `top`; the outsider nothing at all; being an admin is not a role in `top`.
    expectError(await create(w.root.token, { user_id: w.guest.id }), 403, needsDeveloper)
    expectError(await create(w.root.token, { user_id: w.outsider.id }, w.groups.other), 403, needsDeveloper)
    expectError(await create(w.root.token, { user_id: w.root.id }), 403, needsDeveloper)
    // Root owns `other`; the owner's role in `top` reaches `top/sub/deep`.
    expectObject(await create(w.root.token, { user_id: w.root.id }, w.groups.other), 201)
    expectObject(await create(w.root.token, { user_id: w.owner.id }), 201)
  })

  it("finishes a job (204), after which finishing again is refused", async () => {
    const id = num(expectObject(await create(w.root.token, { user_id: w.maintainer.id }), 201), "id")
    expect((await call(w.app, "POST", `/api/v4/job_tokens/${id}/finish`, { token: w.root.token })).statusCode).toBe(204)
    expectError(await call(w.app, "POST", `/api/v4/job_tokens/${id}/finish`, { token: w.root.token }), 400, {
      message: `400 Bad request - token ${id} is already revoked`
    })
  })

  it("is for administrators only: not an Owner, not anyone else, not for any user id", async () => {
    // The hole this closes: an Owner of any group (anyone may make one) minting a token as root.
    expectError(await create(w.owner.token, { user_id: w.root.id }), 403, forbidden("only administrators (the CI system) create CI job tokens"))
    expectError(await create(w.owner.token, { user_id: w.maintainer.id }), 403, forbidden("only administrators (the CI system) create CI job tokens"))
    expectError(await create(w.maintainer.token, { user_id: w.maintainer.id }), 403, forbidden("only administrators (the CI system) create CI job tokens"))
    expectError(await create(w.outsider.token, { user_id: w.guest.id }), 404, notFound("Group"))
    expectError(await create(w.guestReadOnly, { user_id: w.guest.id }), 403, FORBIDDEN)
    const id = num(expectObject(await create(w.root.token, { user_id: w.maintainer.id }), 201), "id")
    expectError(await call(w.app, "POST", `/api/v4/job_tokens/${id}/finish`, { token: w.owner.token }), 403, FORBIDDEN)
  })

  it("answers bad input, unknown users and ids that are not job tokens", async () => {
    expectError(await create(w.root.token, {}), 400, { error: "user_id is missing" })
    expectError(await create(w.root.token, { user_id: "guest" }), 400, { error: "user_id is invalid" })
    expectError(await create(w.root.token, { user_id: w.maintainer.id, expires_at: "soon" }), 400, { error: "expires_at is invalid" })
    expectError(await create(w.root.token, { user_id: w.maintainer.id, expires_at: "2001-01-01" }), 400, { message: { expires_at: ["must be in the future"] } })
    expectError(await create(w.root.token, { user_id: 99999 }), 404, notFound("User"))
    const pat = expectObject(await call(w.app, "GET", "/api/v4/personal_access_tokens/self", { token: w.owner.token }), 200)
    expectError(await call(w.app, "POST", `/api/v4/job_tokens/${num(pat, "id")}/finish`, { token: w.root.token }), 404, notFound("Token"))
    expectError(await call(w.app, "POST", "/api/v4/job_tokens/99999/finish", { token: w.root.token }), 404, notFound("Token"))
  })
})
