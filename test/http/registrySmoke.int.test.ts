import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createGroup } from "../../src/application/useCases/groups.js"
import { createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { createUser } from "../../src/application/useCases/users.js"
import { changeGroup } from "../../src/application/useCases/groups.js"
import { EXTERNAL_URL, type RegistryHarness, pullManifest, registryHarness, sampleImage } from "../support/registryApp.js"

describe("registry routes, the happy path", () => {
  let h: RegistryHarness
  let pat = ""
  beforeAll(async () => {
    h = await registryHarness()
    const alice = await h.run(createUser({ username: "alice", email: "a@x.io", name: "A", password: "alice-password", admin: false }))
    const rootOwner = await h.run(createUser({ username: "olga", email: "o@x.io", name: "O", password: "olga-password", admin: false }))
    const top = await h.run(createGroup({ path: "top", name: "Top", parentId: null, ownerUserId: rootOwner }))
    await h.run(changeGroup(top, { _tag: "AddMember", userId: alice, accessLevel: 10 }))
    pat = (await h.run(createPersonalAccessToken({ userId: alice, name: "t", scopes: ["read_registry"], expiresAt: null }))).token
  })
  afterAll(() => h.close())

  it("challenges an anonymous /v2/ and answers {} with a token", async () => {
    const anonymous = await h.app.inject({ method: "GET", url: "/v2/" })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.headers["www-authenticate"]).toBe(`Bearer realm="${EXTERNAL_URL}/jwt/auth",service="dependency_proxy"`)
    expect(anonymous.headers["docker-distribution-api-version"]).toBe("registry/2.0")
    expect(anonymous.json()).toEqual({ errors: [{ code: "UNAUTHORIZED", message: "authentication required", detail: null }] })
  })

  it("pulls a manifest by tag with a password and with a personal access token", async () => {
    const image = sampleImage("alpine", "3.19")
    for (const [user, secret] of [["alice", "alice-password"], ["anything", pat]] as const) {
      const response = await pullManifest(h.app, user, secret, "top", "alpine", "3.19")
      expect(response.statusCode).toBe(200)
      expect(response.headers["docker-content-digest"]).toBe(image.manifestDigest)
      expect(response.headers["content-type"]).toBe(image.mediaType)
      expect(response.headers["etag"]).toBe(`"${image.manifestDigest}"`)
      expect(response.body).toBe(image.manifest)
    }
  })
})
