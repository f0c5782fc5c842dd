import { describe, expect, it } from "vitest"
import { createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { createUser } from "../../src/application/useCases/users.js"
import { REDACTED, redactUrl } from "../../src/adapters/http/redactUrl.js"
import { registryHarness } from "../support/registryApp.js"

/** Finding 5: credentials in a query string (`?password=`, `?private_token=`) were logged verbatim. */
describe("secrets in query strings", () => {
  it("never reach the request log, whatever route or answer", async () => {
    const lines: Array<string> = []
    const h = await registryHarness({ logSink: lines })
    try {
      const alice = await h.run(createUser({ username: "alice", email: "a@x.io", name: "A", password: "alice-password-Q1", admin: false }))
      const pat = await h.run(createPersonalAccessToken({ userId: alice, name: "p", scopes: ["api"], expiresAt: null }))
      const secrets = [pat.token, "alice-password-Q1", "job-token-Z9", "oauth-access-W3", "hub-secret-K7", "api-key-M2", "hub-secret-G5", "hub-secret-V6"]
      const urls = [
        `/api/v4/user?private_token=${pat.token}`,
        `/oauth/token?grant_type=password&username=alice&password=alice-password-Q1`,
        `/jwt/auth?service=dependency_proxy&job_token=job-token-Z9&scope=x`,
        `/api/v4/groups?access_token=oauth-access-W3&search=acme`,
        `/api/graphql?query=%7B__typename%7D&client_secret=hub-secret-K7`,
        // A mutation over GET is refused, but its text (and the secret in it) reached the server all the same.
        `/api/graphql?query=${encodeURIComponent(`mutation { updateDependencyProxySettings(input: {groupPath: "a", identity: "i", secret: "hub-secret-G5"}) { errors } }`)}`,
        `/api/graphql?query=mutation&variables=${encodeURIComponent(JSON.stringify({ input: { secret: "hub-secret-V6" } }))}`,
        `/users/sign_in?API_KEY=api-key-M2`
      ]
      for (const url of urls) await h.app.inject({ method: url.startsWith("/oauth") ? "POST" : "GET", url })
      const log = lines.join("\n")
      for (const secret of secrets) expect(log.includes(secret), `logged: ${secret.slice(0, 8)}…`).toBe(false)
      // The rest of the request is still logged, for operators to read.
      expect(log).toContain(`private_token=${REDACTED}`)
      expect(log).toContain("search=acme")
      expect(log).toContain("username=alice")
      expect(log).toContain("query=%7B__typename%7D")
    } finally {
      await h.close()
    }
  })

  it("are redacted by name, keeping the path, other parameters and their order", () => {
    expect(redactUrl("/a/b")).toBe("/a/b")
    expect(redactUrl("/a?x=1&password=p&y=2")).toBe(`/a?x=1&password=${REDACTED}&y=2`)
    expect(redactUrl("/a?Private-Token=t&token")).toBe(`/a?Private-Token=${REDACTED}&token`)
    expect(redactUrl("/a?my%5Fsecret=s&scope=repository%3Ax")).toBe(`/a?my%5Fsecret=${REDACTED}&scope=repository%3Ax`)
    expect(redactUrl("/a?%E0%A4%A=1&session_id=s")).toBe(`/a?%E0%A4%A=1&session_id=${REDACTED}`)
  })
})
