import { afterAll, beforeAll, describe, expect, it } from "vitest"
import fc from "fast-check"
import { createGroup } from "../../src/application/useCases/groups.js"
import { createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { createUser } from "../../src/application/useCases/users.js"
import { type RegistryHarness, registryHarness, requestToken, scopeFor } from "../support/registryApp.js"

/**
 * Fuzzing the HTTP surface: whatever arrives (paths, headers, Basic credentials, bearer tokens, API and
 * GraphQL bodies), the answer is a 4xx (or a success), never a 5xx and never a crash of the process.
 */
describe("the HTTP surface under fuzzing", () => {
  let h: RegistryHarness
  let pat = ""
  let jwt = ""
  beforeAll(async () => {
    h = await registryHarness()
    const alice = await h.run(createUser({ username: "alice", email: "a@x.io", name: "A", password: "alice-password", admin: false }))
    await h.run(createGroup({ path: "top", name: "Top", parentId: null, ownerUserId: alice }))
    pat = (await h.run(createPersonalAccessToken({ userId: alice, name: "t", scopes: ["api", "read_registry"], expiresAt: null }))).token
    jwt = (await requestToken(h.app, "alice", pat, [scopeFor("top", "alpine")])).json<{ token: string }>().token
  })
  afterAll(() => h.close())

  const fragments = fc.constantFrom(
    "/v2", "/v2/", "top", "TOP", "..", "%2e%2e", "%2F", "/", "//", "\\", "dependency_proxy", "containers", "manifests",
    "blobs", "tags", "list", "sha256:", "a".repeat(64), "latest", ":", "@", "?", "#", "%00", "~", "api", "v4", "groups",
    "users", "graphql", "jwt", "auth", "-", "metrics", "ünï", "%", "%ZZ"
  )
  const path = fc.array(fc.oneof(fragments, fc.string({ maxLength: 12 })), { maxLength: 10 }).map((parts) => `/${parts.join("/")}`)
  const method = fc.constantFrom("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
  const authorization = fc.oneof(
    fc.constant(undefined),
    fc.string().map((s) => `Bearer ${s}`),
    fc.constant(`Bearer ${"x"}`),
    fc.tuple(fc.string(), fc.string()).map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`),
    fc.string().map((s) => `Basic ${s}`),
    fc.nat({ max: 200 }).map((i) => `Bearer ${jwt.slice(0, i)}${jwt.slice(i + 1)}`),
    fc.string()
  )

  it("answers arbitrary requests without a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(method, path, authorization, fc.option(fc.string({ maxLength: 200 })), fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain", "application/vnd.oci.image.manifest.v1+json"), async (m, url, auth, body, type) => {
        // Paths the test client itself cannot send (not a URL at all) are not requests the server can get.
        fc.pre(URL.canParse(url, "http://localhost"))
        const headers: Record<string, string> = { "content-type": type }
        if (auth !== undefined) headers["authorization"] = auth
        const withBody = m !== "GET" && m !== "HEAD" && body !== null
        const response = await h.app.inject({ method: m, url, headers, ...(withBody ? { payload: body } : {}) })
        expect(response.statusCode, `${m} ${url} → ${response.statusCode} ${response.body.slice(0, 200)}`).toBeLessThan(500)
      }),
      { numRuns: 400 }
    )
  }, 120_000)

  it("answers arbitrary registry references and scopes without a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), fc.array(fc.string({ maxLength: 60 }), { maxLength: 4 }), async (image, reference, scopes) => {
        const registry = await h.app.inject({
          method: "GET",
          url: `/v2/top/dependency_proxy/containers/${encodeURI(image)}/manifests/${encodeURI(reference)}`,
          headers: { authorization: `Bearer ${jwt}` }
        })
        expect(registry.statusCode).toBeLessThan(500)
        const query = new URLSearchParams([["service", "dependency_proxy"], ...scopes.map((s) => ["scope", s] as [string, string])])
        const token = await h.app.inject({ method: "GET", url: `/jwt/auth?${query}`, headers: { authorization: `Basic ${Buffer.from(`alice:${pat}`).toString("base64")}` } })
        expect(token.statusCode).toBeLessThan(500)
      }),
      { numRuns: 200 }
    )
  }, 120_000)

  it("answers arbitrary REST and GraphQL bodies without a 5xx", async () => {
    const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/api/v4/users", "/api/v4/groups", "/api/v4/groups/1/members", "/api/v4/groups/top/deploy_tokens", "/api/v4/user/personal_access_tokens", "/api/v4/groups/1/job_tokens", "/oauth/token", "/api/graphql"),
        fc.oneof(json, fc.string({ maxLength: 200 })),
        async (url, body) => {
          const response = await h.app.inject({ method: "POST", url, headers: { "private-token": pat, "content-type": "application/json" }, payload: body })
          expect(response.statusCode, `${url} ${body.slice(0, 100)} → ${response.statusCode} ${response.body.slice(0, 200)}`).toBeLessThan(500)
        }
      ),
      { numRuns: 300 }
    )
  }, 120_000)
})
