import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { RegistryTokens } from "../../src/application/ports/RegistryTokens.js"
import { type ApiWorld, apiWorld, call, expectError, expectObject } from "../support/worlds/apiWorld.js"
import { basic, manifestPath } from "../support/registryApp.js"

/**
 * Finding 8: GitLab-reserved top-level paths could be taken as group paths; `/jwt/auth` ignored an unknown
 * `service`; a JWT past its expiry was still accepted for 30 s. And: who may create top-level groups is the
 * instance's to say.
 */
describe("reserved paths, the token service and expired JWTs", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  const createGroup = (token: string, form: string) => call(w.app, "POST", "/api/v4/groups", { token, form })

  it("refuses a top-level group on a route's name, naming the field; a subgroup may use it", async () => {
    for (const path of ["v2", "api", "users", "groups", "jwt", "oauth", "dependency_proxy", "metrics", "Admin"]) {
      expectError(await createGroup(w.owner.token, `name=x&path=${path}`), 400, { message: { path: [`${path} is a reserved name`] } })
    }
    expectObject(await createGroup(w.owner.token, `name=v2&path=v2&parent_id=${w.groups.top}`), 201)
  })

  it("lets an administrator keep top-level groups to administrators, and subgroups to Owners", async () => {
    const settings = (token: string, value: boolean) =>
      call(w.app, "PUT", "/api/v4/application/settings", { token, json: { can_create_group: value } })
    expectError(await settings(w.owner.token, false), 403, { message: "403 Forbidden" })
    expect(expectObject(await settings(w.root.token, false), 200)).toMatchObject({ can_create_group: false })
    try {
      expectError(await createGroup(w.outsider.token, "name=Mine&path=mine"), 403, {
        message: "403 Forbidden - only administrators may create top-level groups on this instance"
      })
      expectObject(await createGroup(w.owner.token, `name=Team&path=team&parent_id=${w.groups.top}`), 201)
      expectObject(await createGroup(w.root.token, "name=Ops&path=ops"), 201)
    } finally {
      expectObject(await settings(w.root.token, true), 200)
    }
    expectObject(await createGroup(w.outsider.token, "name=Mine&path=mine"), 201)
  })

  it("answers /jwt/auth for another service, or none, with 404 before reading credentials", async () => {
    for (const query of ["service=container_registry", "service=", "", "service=dependency_proxy&service=x"]) {
      const response = await w.app.inject({ method: "GET", url: `/jwt/auth?${query}`, headers: { authorization: basic("owner", "owner-password") } })
      expect(response.statusCode, query).toBe(404)
      expect(response.json()).toMatchObject({ errors: [{ code: "NAME_UNKNOWN" }] })
      expect(response.headers["www-authenticate"]).toBeUndefined()
    }
  })

  it("refuses a JWT six seconds past its expiry (5 s of clock skew at most)", async () => {
    const access = [{ type: "repository" as const, name: "top/dependency_proxy/containers/alpine", actions: ["pull"] }]
    const issuedAgo = (seconds: number) =>
      w.h.run(RegistryTokens.pipe(Effect.flatMap((tokens) => tokens.issue({ subject: `user:${w.owner.id}`, version: 0 }, access, new Date(Date.now() - seconds * 1000)))))
    const get = async (seconds: number) =>
      w.app.inject({ method: "GET", url: manifestPath("top", "alpine", "3.19"), headers: { authorization: `Bearer ${(await issuedAgo(seconds)).token}` } })
    // The harness's tokens live 900 s.
    expect((await get(900 + 6)).statusCode).toBe(401)
    expect((await get(900 - 30)).statusCode).toBe(200)
  })
})
