import { execFile } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { changeGroup, createGroup } from "../../src/application/useCases/groups.js"
import { createDeployToken, createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { createUser } from "../../src/application/useCases/users.js"
import { freePort } from "../support/processes.js"
import { type RegistryHarness, registryHarness, sampleImage } from "../support/registryApp.js"

const skopeo = (args: ReadonlyArray<string>): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) => {
    execFile("skopeo", [...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    })
  })

/**
 * A real client does Docker's token dance against the real listener: challenge on /v2/, Basic to
 * /jwt/auth, bearer on the manifest and config blob. The content still comes from the memory adapter.
 */
describe("skopeo against the registry", () => {
  const image = sampleImage("alpine", "3.19")
  let h: RegistryHarness
  let port = 0
  let pat = ""
  let deploy = { token: "", username: "" }

  beforeAll(async () => {
    port = await freePort()
    h = await registryHarness({ images: [image], externalUrl: `http://127.0.0.1:${port}` })
    await h.app.listen({ port, host: "127.0.0.1" })
    const alice = await h.run(createUser({ username: "alice", email: "a@x.io", name: "A", password: "alice-password", admin: false }))
    const owner = await h.run(createUser({ username: "olga", email: "o@x.io", name: "O", password: "olga-password", admin: false }))
    const top = await h.run(createGroup({ path: "top", name: "Top", parentId: null, ownerUserId: owner }))
    const sub = await h.run(createGroup({ path: "sub", name: "Sub", parentId: top, ownerUserId: owner }))
    await h.run(changeGroup(top, { _tag: "AddMember", userId: alice, accessLevel: 10 }))
    pat = (await h.run(createPersonalAccessToken({ userId: alice, name: "ci", scopes: ["read_registry"], expiresAt: null }))).token
    const d = await h.run(createDeployToken({ groupId: sub, name: "deploy", username: null, scopes: ["read_registry"], expiresAt: null }))
    deploy = { token: d.token, username: d.username ?? "" }
  })
  afterAll(() => h.close())

  const reference = (group: string) => `docker://127.0.0.1:${port}/${group}/dependency_proxy/containers/alpine:3.19`

  it.each([
    ["a password", "alice", () => "alice-password", "top"],
    ["a personal access token", "whoever", () => pat, "top"],
    ["a deploy token, through a subgroup", "", () => deploy.token, "top/sub"]
  ])("inspects an image with %s", async (_, user, secret, group) => {
    const username = user === "" ? deploy.username : user
    const result = await skopeo(["inspect", "--tls-verify=false", "--creds", `${username}:${secret()}`, reference(group)])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const inspected: unknown = JSON.parse(result.stdout)
    expect(inspected).toMatchObject({ Digest: image.manifestDigest, Architecture: "amd64", Os: "linux" })
  })

  it("fails with GitLab's message for a wrong password", async () => {
    const result = await skopeo(["inspect", "--tls-verify=false", "--creds", "alice:wrong-password", reference("top")])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain("HTTP Basic: Access denied")
  })

  it("gets no answer that reveals a group it may not read", async () => {
    const result = await skopeo(["inspect", "--tls-verify=false", "--creds", `${deploy.username}:${deploy.token}`, reference("top")])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain("name unknown")
  })
})
