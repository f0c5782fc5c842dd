import type { LightMyRequestResponse } from "fastify"
import { asUser } from "../support/testApp.js"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { recordBlob, recordManifest } from "../../src/application/cache/cacheEvents.js"
import { updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { createUser } from "../../src/application/useCases/users.js"
import { type RegistryHarness, registryHarness, requestToken, scopeFor } from "../support/registryApp.js"
import { call, expectList, expectObject, num, text } from "../support/worlds/apiWorld.js"

const ROOT_PASSWORD = "root-initial-password"
const HUB_SECRET = "docker-hub-secret-of-the-scenario"
const digest = (c: string) => `sha256:${c.repeat(64)}`

/**
 * The whole management surface over HTTP, as a script would use it: from root's password to a token, then
 * users, a three-level group tree, members, every kind of token, SSO, settings history and a purge. Every
 * response is kept, to check at the end that each token's plaintext appeared exactly once (its creation)
 * and no password hash ever did.
 */
/** Within the instance's default limit of 365 days. */
const PAT_EXPIRY = new Date(Date.now() + 90 * 24 * 3600 * 1000).toISOString().slice(0, 10)

describe("the REST API, walked from root's password", () => {
  let h: RegistryHarness
  const responses: Array<LightMyRequestResponse> = []
  const plaintexts: Array<string> = []
  let token = ""
  const api = async (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, json?: unknown) => {
    const response = await call(h.app, method, `/api/v4${url}`, { token, ...(json === undefined ? {} : { json }) })
    responses.push(response)
    return response
  }
  const ids = { alice: 0, bob: 0, carol: 0, top: 0, sub: 0, deep: 0 }

  beforeAll(async () => {
    h = await registryHarness()
    await h.run(createUser({ username: "root", email: "admin@example.com", name: "Administrator", password: ROOT_PASSWORD, admin: true }))
  })
  afterAll(() => h.close())

  it("trades root's password for an api token at /oauth/token", async () => {
    const response = await call(h.app, "POST", "/oauth/token", {
      form: new URLSearchParams({ grant_type: "password", username: "root", password: ROOT_PASSWORD }).toString()
    })
    responses.push(response)
    const body = expectObject(response, 200)
    token = text(body, "access_token")
    plaintexts.push(token)
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 7200 })
    expect(Math.abs(num(body, "created_at") - Date.now() / 1000)).toBeLessThan(60)
    expect(expectObject(await api("GET", "/user"), 200)).toMatchObject({ username: "root", is_admin: true })
  })

  it("creates users, JSON and form-encoded alike", async () => {
    ids.alice = num(expectObject(await api("POST", "/users", {
      username: "alice", email: "alice@example.com", name: "Alice", password: "alice-password"
    }), 201), "id")
    ids.bob = num(expectObject(await api("POST", "/users", {
      username: "bob", email: "bob@example.com", name: "Bob", password: "bob-password", admin: false
    }), 201), "id")
    const form = await call(h.app, "POST", "/api/v4/users", {
      token,
      form: "username=carol&email=carol%40example.com&name=Carol&password=carol-password&admin=false"
    })
    responses.push(form)
    ids.carol = num(expectObject(form, 201), "id")
    expect(expectList(await api("GET", "/users")).map((u) => u.username)).toEqual(["root", "alice", "bob", "carol"])
  })

  it("builds top/sub/deep and fills it with members", async () => {
    ids.top = num(expectObject(await api("POST", "/groups", { name: "Top", path: "top" }), 201), "id")
    ids.sub = num(expectObject(await api("POST", "/groups", { name: "Sub", path: "sub", parent_id: ids.top }), 201), "id")
    const deep = expectObject(await api("POST", "/groups", { name: "Deep", path: "deep", parent_id: ids.sub }), 201)
    ids.deep = num(deep, "id")
    expect(deep).toMatchObject({ full_path: "top/sub/deep", parent_id: ids.sub, web_url: "http://registry.test:5000/groups/top/sub/deep" })
    expect(expectObject(await api("GET", "/groups/top%2Fsub%2Fdeep"), 200)).toMatchObject({ id: ids.deep })

    expectObject(await api("POST", `/groups/${ids.top}/members`, { user_id: ids.alice, access_level: 50 }), 201)
    expectObject(await api("POST", `/groups/${ids.top}/members`, { user_id: ids.bob, access_level: 30 }), 201)
    expectObject(await api("POST", `/groups/${ids.sub}/members`, { user_id: ids.carol, access_level: 10 }), 201)
    expect(expectObject(await api("PUT", `/groups/${ids.top}/members/${ids.bob}`, { access_level: 20 }), 200)).toMatchObject({ access_level: 20 })
    const inherited = expectList(await api("GET", `/groups/${ids.deep}/members/all`))
    expect(inherited.map((m) => [m.username, m.access_level])).toEqual([["root", 50], ["alice", 50], ["bob", 20], ["carol", 10]])
  })

  it("issues every kind of token, each shown once", async () => {
    const pat = expectObject(await api("POST", `/users/${ids.alice}/personal_access_tokens`, {
      name: "alice's", scopes: ["read_api", "read_registry"], expires_at: PAT_EXPIRY
    }), 201)
    const deploy = expectObject(await api("POST", `/groups/${ids.top}/deploy_tokens`, { name: "ci", scopes: ["read_registry"] }), 201)
    const groupToken = expectObject(await api("POST", `/groups/${ids.sub}/access_tokens`, {
      name: "sub bot", scopes: ["read_registry"], access_level: 20
    }), 201)
    // A job runs for a Developer or more: alice, an Owner (bob is only a Reporter now).
    const job = expectObject(await api("POST", `/groups/${ids.deep}/job_tokens`, { user_id: ids.alice }), 201)
    for (const [body, prefix] of [[pat, "glpat-"], [deploy, "gldt-"], [groupToken, "glgat-"], [job, "glcbt-"]] as const) {
      expect(text(body, "token").startsWith(prefix)).toBe(true)
      plaintexts.push(text(body, "token"))
    }
    expect(pat).toMatchObject({ scopes: ["read_api", "read_registry"], expires_at: PAT_EXPIRY, user_id: ids.alice, active: true })
    expect(deploy).toMatchObject({ username: `gitlab+deploy-token-${num(deploy, "id")}`, revoked: false, expired: false })
    expect(groupToken).toMatchObject({ access_level: 20 })
    const jobToken = text(job, "token")
    expect(job.variables).toEqual({
      CI_DEPENDENCY_PROXY_USER: "gitlab-ci-token",
      CI_DEPENDENCY_PROXY_PASSWORD: jobToken,
      CI_DEPENDENCY_PROXY_SERVER: "registry.test:5000",
      CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: "registry.test:5000/top/dependency_proxy/containers",
      CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX: "registry.test:5000/top/sub/deep/dependency_proxy/containers"
    })
    // The job token signs in as the job until the job is finished.
    const scope = [scopeFor("top/sub/deep", "alpine")]
    expect((await requestToken(h.app, "gitlab-ci-token", jobToken, scope)).statusCode).toBe(200)
    expect((await api("POST", `/job_tokens/${num(job, "id")}/finish`)).statusCode).toBe(204)
    expect((await requestToken(h.app, "gitlab-ci-token", jobToken, scope)).statusCode).toBe(403)
    // The group token's bot is a member of its group, with the token's role.
    expect(expectList(await api("GET", `/groups/${ids.sub}/members`)).find((m) => m.id === groupToken.user_id)).toMatchObject({ access_level: 20 })
  })

  it("starts and ends an SSO session", async () => {
    expect(expectObject(await api("POST", `/groups/${ids.top}/saml_sessions`, { user_id: ids.carol }), 201)).toMatchObject({
      user_id: ids.carol, group_id: ids.top, active: true
    })
    expect((await api("DELETE", `/groups/${ids.top}/saml_sessions/${ids.carol}`)).statusCode).toBe(204)
  })

  it("shows the settings history with who changed what, and never the secret", async () => {
    await h.run(updateDependencyProxySettings(ids.top, { enabled: false }).pipe(asUser(1)))
    await h.run(updateDependencyProxySettings(ids.top, { identity: "hub-user", secret: HUB_SECRET }).pipe(asUser(ids.alice)))
    await h.run(updateDependencyProxySettings(ids.top, { enabled: true }).pipe(asUser(1)))
    const history = expectList(await api("GET", `/groups/${ids.top}/dependency_proxy/settings/history`))
    expect(history.map(({ setting, from, to, actor }) => ({ setting, from, to, actor }))).toEqual([
      { setting: "enabled", from: "true", to: "false", actor: "user:1" },
      { setting: "identity", from: null, to: "hub-user", actor: `user:${ids.alice}` },
      { setting: "secret", from: null, to: "changed", actor: `user:${ids.alice}` },
      { setting: "enabled", from: "false", to: "true", actor: "user:1" }
    ])
    expect(responses.every((r) => !r.body.includes(HUB_SECRET))).toBe(true)
  })

  it("purges the group's cache after answering 202", async () => {
    await h.run(recordManifest({ groupId: ids.top, image: "alpine", tag: "3.19", digest: digest("a"), mediaType: "application/json", size: 100 }))
    await h.run(recordManifest({ groupId: ids.top, image: "alpine", tag: null, digest: digest("a"), mediaType: "application/json", size: 100 }))
    await h.run(recordBlob({ groupId: ids.top, digest: digest("b"), size: 2048, image: "alpine", source: "upstream" }))
    expect(expectObject(await api("GET", `/groups/${ids.top}/dependency_proxy`), 200)).toMatchObject({
      image_count: 1, blob_count: 1, total_size_bytes: 2148, total_size: "2.10 KiB", identity: "hub-user"
    })
    const purge = await api("DELETE", `/groups/${ids.top}/dependency_proxy/cache`)
    expect(purge.statusCode).toBe(202)
    expect(purge.json()).toEqual({ message: "202 Accepted" })
    await vi.waitFor(async () => {
      expect(expectObject(await api("GET", `/groups/${ids.top}/dependency_proxy`), 200)).toMatchObject({ image_count: 0, blob_count: 0, total_size_bytes: 0 })
    }, { timeout: 5000, interval: 20 })
    expect(expectList(await api("GET", `/groups/${ids.top}/dependency_proxy/manifests`))).toEqual([])
    expect(expectList(await api("GET", `/groups/${ids.top}/dependency_proxy/blobs`))).toEqual([])
  })

  it("showed each token's plaintext once, at its creation, and never a password or its hash", async () => {
    // The listings a script would read afterwards, kept like every other response.
    await api("GET", "/personal_access_tokens")
    await api("GET", `/groups/${ids.top}/deploy_tokens`)
    await api("GET", `/groups/${ids.sub}/access_tokens`)
    await api("GET", "/users")
    expect(plaintexts).toHaveLength(5)
    for (const plaintext of plaintexts) {
      expect(responses.filter((r) => r.body.includes(plaintext))).toHaveLength(1)
    }
    for (const forbidden of ["scrypt$", "password", ROOT_PASSWORD]) {
      expect(responses.filter((r) => r.body.includes(forbidden)).map((r) => r.body)).toEqual([])
    }
  })
})
