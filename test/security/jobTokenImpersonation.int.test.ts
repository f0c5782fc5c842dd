import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createJobToken } from "../../src/application/useCases/jobTokens.js"
import { addUser, type ApiWorld, apiWorld, call, expectError, expectObject, num, passwordOf, text } from "../support/worlds/apiWorld.js"
import { pullManifest } from "../support/registryApp.js"

/**
 * Finding 1 of the outside probe: any user could become root on the registry. Mallory, who belongs to no
 * group, got an `api` token from the password grant, created a group of her own (so she was its Owner), minted
 * a CI job token in it for `user_id=1` with a 2099 expiry, and pulled another group's private image as root.
 */
describe("a job token is no way to act as another user", () => {
  let w: ApiWorld
  let mallory: string
  beforeAll(async () => {
    w = await apiWorld()
    await addUser(w.h, "mallory")
    const grant = await call(w.app, "POST", "/oauth/token", { form: `grant_type=password&username=mallory&password=${passwordOf("mallory")}` })
    mallory = text(expectObject(grant, 200), "access_token")
  })
  afterAll(() => w.h.close())

  it("refuses the probe's exact steps at the minting call, and the private image stays private", async () => {
    const group = expectObject(await call(w.app, "POST", "/api/v4/groups", { token: mallory, form: "name=Mal&path=mal" }), 201)
    const minted = await call(w.app, "POST", `/api/v4/groups/${num(group, "id")}/job_tokens`, {
      token: mallory,
      form: `user_id=${w.root.id}&expires_at=2099-12-31T00:00:00Z`
    })
    expectError(minted, 403, { message: "403 Forbidden - only administrators (the CI system) create CI job tokens" })
    expect(minted.body).not.toContain("glcbt-")
    // Mallory's own credentials do not open `top` either.
    expect((await pullManifest(w.app, "mallory", passwordOf("mallory"), "top", "alpine", "3.19")).statusCode).toBe(404)
  })

  it("even an administrator's job token for root, minted in another tree, does not reach `top`", async () => {
    // Root owns `other`, so a job may run for root there; its token reaches `other`'s tree only, admin or not.
    const job = await w.h.run(createJobToken({ userId: w.root.id, groupId: w.groups.other }))
    expect((await pullManifest(w.app, "gitlab-ci-token", job.token, "other", "alpine", "3.19")).statusCode).toBe(200)
    const outside = await pullManifest(w.app, "gitlab-ci-token", job.token, "top", "alpine", "3.19")
    expect(outside.statusCode).toBe(404)
    expect(outside.json()).toMatchObject({ errors: [{ code: "NAME_UNKNOWN" }] })
  })

  it("a job token lives a day at most, whoever asks", async () => {
    const far = await call(w.app, "POST", `/api/v4/groups/${w.groups.top}/job_tokens`, {
      token: w.root.token,
      form: `user_id=${w.owner.id}&expires_at=2099-12-31T00:00:00Z`
    })
    expectError(far, 400, { message: { expires_at: ["must be at most 24 hours from now"] } })
  })
})
