import { describe, expect, it } from "vitest"
import { changeGroup, createGroup } from "../../src/application/useCases/groups.js"
import { createDeployToken, createGroupAccessToken, createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { createJobToken } from "../../src/application/useCases/jobTokens.js"
import { createUser } from "../../src/application/useCases/users.js"
import { basic, manifestPath, registryHarness, requestToken, scopeFor } from "../support/registryApp.js"

/**
 * A whole scenario with logging at trace level, then a search of every log line (Fastify's request log and
 * the application's own) for each secret and token the scenario used. None may appear.
 */
describe("logs", () => {
  it("never contain a password, token, JWT or Docker Hub secret", async () => {
    const lines: Array<string> = []
    const h = await registryHarness({ logSink: lines })
    try {
      const password = "alice-password-Xy7"
      const hubSecret = "docker-hub-secret-Q9"
      const alice = await h.run(createUser({ username: "alice", email: "a@x.io", name: "A", password, admin: false }))
      const top = await h.run(createGroup({ path: "top", name: "Top", parentId: null, ownerUserId: alice }))
      const pat = await h.run(createPersonalAccessToken({ userId: alice, name: "pat", scopes: ["api", "read_registry"], expiresAt: null }))
      const deploy = await h.run(createDeployToken({ groupId: top, name: "d", username: "deployer", scopes: ["read_registry"], expiresAt: null }))
      const bot = await h.run(createGroupAccessToken({ groupId: top, name: "g", scopes: ["read_registry"], accessLevel: 20, expiresAt: null }))
      const job = await h.run(createJobToken({ userId: alice, groupId: top }))
      await h.run(changeGroup(top, { _tag: "SetServeStaleOnNotFound", enabled: true }))

      const configure = await h.app.inject({
        method: "POST",
        url: "/api/graphql",
        headers: { authorization: `Bearer ${pat.token}`, "content-type": "application/json" },
        payload: JSON.stringify({
          query: "mutation($s: String) { updateDependencyProxySettings(input: {groupPath: \"top\", identity: \"hub\", secret: $s}) { errors } }",
          variables: { s: hubSecret }
        })
      })
      expect(configure.statusCode).toBe(200)

      const jwts: Array<string> = []
      for (const [user, secret] of [["alice", password], ["x", pat.token], ["deployer", deploy.token], ["x", bot.token], ["gitlab-ci-token", job.token]] as const) {
        const response = await requestToken(h.app, user, secret, [scopeFor("top", "alpine")])
        expect(response.statusCode).toBe(200)
        const jwt = response.json<{ token: string }>().token
        jwts.push(jwt)
        const pulled = await h.app.inject({ method: "GET", url: manifestPath("top", "alpine", "3.19"), headers: { authorization: `Bearer ${jwt}` } })
        expect(pulled.statusCode).toBe(200)
      }
      const refused = await h.app.inject({ method: "GET", url: "/jwt/auth?service=dependency_proxy", headers: { authorization: basic("alice", `${password}-wrong`) } })
      expect(refused.statusCode).toBe(401)

      const log = lines.join("\n")
      expect(lines.length).toBeGreaterThan(20)
      expect(log).toContain("req-")
      for (const secret of [password, `${password}-wrong`, hubSecret, pat.token, deploy.token, bot.token, job.token, ...jwts]) {
        expect(log.includes(secret), `a secret appears in the logs: ${secret.slice(0, 6)}…`).toBe(false)
      }
      // The Basic header itself (base64 of user:password) must not appear either.
      expect(log).not.toContain(Buffer.from(`alice:${password}`).toString("base64"))
    } finally {
      await h.close()
    }
  })
})
