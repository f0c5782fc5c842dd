import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { changeUser } from "../../src/application/useCases/users.js"
import { createDeployToken, createGroupAccessToken, createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { createJobToken } from "../../src/application/useCases/jobTokens.js"
import { type IssuedToken } from "../../src/application/useCases/tokenIssuance.js"
import { finishJob, revokeToken } from "../../src/application/useCases/tokenLifecycle.js"
import { ACCESS_DENIED_MESSAGE } from "../../src/adapters/http/registry/registryErrors.js"
import { basic, requestToken, scopeFor } from "../support/registryApp.js"
import {
  addMember,
  addUser,
  basicChallenge,
  expectApiVersion,
  expectOciError,
  expectPulled,
  getManifest,
  issueToken,
  jwtPayload,
  passwordOf,
  pullToken,
  tokenBody,
  waitUntil,
  type World,
  worldHarness
} from "../support/worlds/httpWorld.js"

const ALPINE_TOP = scopeFor("top", "alpine")
const ALPINE_SUB = scopeFor("top/sub", "alpine")

describe("/jwt/auth: who may sign in, and with what", () => {
  let w: World
  beforeAll(async () => {
    w = await worldHarness()
  })
  afterAll(() => w.h.close())

  const pat = (userId: number, scopes: ReadonlyArray<string>, expiresAt: Date | null = null) =>
    w.h.run(createPersonalAccessToken({ userId, name: "pat", scopes, expiresAt }))

  describe("without usable credentials: 401 with GitLab's words", () => {
    it("challenges a request without Authorization with the Basic realm", async () => {
      const response = await w.app.inject({ method: "GET", url: `/jwt/auth?service=dependency_proxy&scope=${ALPINE_TOP}` })
      expectOciError(response, 401, "UNAUTHORIZED")
      expect(response.headers["www-authenticate"]).toBe(basicChallenge)
    })

    it("treats a Basic header it cannot read (no colon) as no credentials", async () => {
      const response = await w.app.inject({
        method: "GET",
        url: "/jwt/auth?service=dependency_proxy",
        headers: { authorization: `Basic ${Buffer.from("no-colon-here").toString("base64")}` }
      })
      expectOciError(response, 401, "UNAUTHORIZED")
      expect(response.headers["www-authenticate"]).toBe(basicChallenge)
    })

    it.each([
      ["a wrong password", "reporter", "not-the-password"],
      ["an unknown user", "nobody-at-all", passwordOf("nobody-at-all")],
      ["an unknown token", "reporter", "glpat-thisTokenWasNeverIssued000"],
      ["the password of a user with two-factor authentication", "two-factor", passwordOf("two-factor")]
    ])("refuses %s with ACCESS_DENIED_MESSAGE", async (_case, username, secret) => {
      const response = await requestToken(w.app, username, secret, [ALPINE_TOP])
      expectOciError(response, 401, "UNAUTHORIZED", ACCESS_DENIED_MESSAGE)
      expect(response.headers["www-authenticate"]).toBe(basicChallenge)
    })
  })

  describe("the five kinds of credential", () => {
    let personal: IssuedToken
    let deploy: IssuedToken
    let groupToken: IssuedToken
    let job: IssuedToken
    beforeAll(async () => {
      personal = await pat(w.users.reporter, ["read_registry"])
      deploy = await w.h.run(createDeployToken({ groupId: w.groups.top, name: "d", username: "ci-deployer", scopes: ["read_registry"], expiresAt: null }))
      groupToken = await w.h.run(createGroupAccessToken({ groupId: w.groups.top, name: "g", scopes: ["read_registry"], accessLevel: 20, expiresAt: null }))
      job = await w.h.run(createJobToken({ userId: w.users.developer, groupId: w.groups.top }))
    })

    /** Signs in, checks the JWT names the credential and carries no secret, then pulls with it. */
    const signInAndPull = async (username: string, secret: string, subject: string) => {
      const token = await issueToken(w.app, username, secret, [ALPINE_TOP])
      const payload = jwtPayload(token)
      expect(payload.sub).toBe(subject)
      const claims = JSON.stringify(payload)
      expect(claims).not.toContain(secret)
      // The header segment too: nothing of the credential may travel in the token at all.
      expect(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")).not.toContain(secret)
      expectPulled(await getManifest(w.app, token, "top"))
    }

    it("username and password", () => signInAndPull("reporter", passwordOf("reporter"), `user:${w.users.reporter}`))

    it("a personal access token with any username", async () => {
      await signInAndPull("whatever-name", personal.token, `pat:${personal.tokenId}`)
      await signInAndPull("reporter", personal.token, `pat:${personal.tokenId}`)
    })

    it("a personal access token of a user with two-factor authentication (only the password is refused)", async () => {
      const twoFactorPat = await pat(w.users.twoFactor, ["read_registry"])
      await signInAndPull("two-factor", twoFactorPat.token, `pat:${twoFactorPat.tokenId}`)
    })

    it("a deploy token with its own username, and not with another", async () => {
      await signInAndPull("ci-deployer", deploy.token, `deploy_token:${deploy.tokenId}`)
      const wrongName = await requestToken(w.app, "reporter", deploy.token, [ALPINE_TOP])
      expectOciError(wrongName, 401, "UNAUTHORIZED", ACCESS_DENIED_MESSAGE)
    })

    it("a deploy token created without a username answers to gitlab+deploy-token-<id>", async () => {
      const unnamed = await w.h.run(createDeployToken({ groupId: w.groups.top, name: "d2", username: null, scopes: ["read_registry"], expiresAt: null }))
      expect(unnamed.username).toBe(`gitlab+deploy-token-${unnamed.tokenId}`)
      await signInAndPull(`gitlab+deploy-token-${unnamed.tokenId}`, unnamed.token, `deploy_token:${unnamed.tokenId}`)
    })

    it("a group access token with any username", async () => {
      await signInAndPull("anyone", groupToken.token, `group_token:${groupToken.tokenId}`)
    })

    it("a job token only with gitlab-ci-token", async () => {
      await signInAndPull("gitlab-ci-token", job.token, `job:${job.tokenId}`)
      for (const username of ["developer", "ci", "GITLAB-CI-TOKEN"]) {
        expectOciError(await requestToken(w.app, username, job.token, [ALPINE_TOP]), 401, "UNAUTHORIZED", ACCESS_DENIED_MESSAGE)
      }
    })
  })

  describe("a genuine credential that may not be used: 403 DENIED saying why", () => {
    const expectDenied = async (username: string, secret: string, why: RegExp) =>
      expectOciError(await requestToken(w.app, username, secret, [ALPINE_TOP]), 403, "DENIED", expect.stringMatching(why))

    it("a revoked personal access token", async () => {
      const revoked = await pat(w.users.reporter, ["read_registry"])
      await w.h.run(revokeToken(revoked.tokenId))
      await expectDenied("reporter", revoked.token, /revoked/)
    })

    it("a revoked deploy token and a revoked group access token", async () => {
      const deploy = await w.h.run(createDeployToken({ groupId: w.groups.top, name: "d", username: "revoked-deployer", scopes: ["read_registry"], expiresAt: null }))
      const groupToken = await w.h.run(createGroupAccessToken({ groupId: w.groups.top, name: "g", scopes: ["read_registry"], accessLevel: 10, expiresAt: null }))
      await w.h.run(revokeToken(deploy.tokenId))
      await w.h.run(revokeToken(groupToken.tokenId))
      await expectDenied("revoked-deployer", deploy.token, /revoked/)
      await expectDenied("anyone", groupToken.token, /revoked/)
    })

    it("a personal access token past its expiry", async () => {
      // Creation demands a future expiry, so the token is made to expire shortly and the test waits for it.
      const expiring = await pat(w.users.reporter, ["read_registry"], new Date(Date.now() + 1_000))
      expectPulled(await getManifest(w.app, await pullToken(w.app, "reporter", expiring.token, "top"), "top"))
      await waitUntil(async () => (await requestToken(w.app, "reporter", expiring.token, [ALPINE_TOP])).statusCode !== 200)
      await expectDenied("reporter", expiring.token, /expired/)
    })

    it("the job token of a finished job", async () => {
      const job = await w.h.run(createJobToken({ userId: w.users.developer, groupId: w.groups.top }))
      await w.h.run(finishJob(job.tokenId))
      await expectDenied("gitlab-ci-token", job.token, /job has finished/)
    })

    it("the password and the tokens of a blocked user", async () => {
      const blocked = await addUser(w.h, "soon-blocked")
      await addMember(w.h, w.groups.top, blocked, 30)
      const blockedPat = await pat(blocked, ["read_registry"])
      const blockedJob = await w.h.run(createJobToken({ userId: blocked, groupId: w.groups.top }))
      await w.h.run(changeUser(blocked, { _tag: "BlockUser" }))
      await expectDenied("soon-blocked", passwordOf("soon-blocked"), /blocked/)
      await expectDenied("soon-blocked", blockedPat.token, /blocked/)
      await expectDenied("gitlab-ci-token", blockedJob.token, /blocked/)
    })
  })

  describe("the scope rule (a token needs a registry scope; a virtual-registry scope needs its plain counterpart)", () => {
    const allowed = (scopes: ReadonlyArray<string>) => ({ scopes, allowed: true })
    const refused = (scopes: ReadonlyArray<string>) => ({ scopes, allowed: false })
    const expectScopeVerdict = async (username: string, secret: string, isAllowed: boolean) => {
      const response = await requestToken(w.app, username, secret, [ALPINE_TOP])
      if (isAllowed) expectPulled(await getManifest(w.app, tokenBody(response).token, "top"))
      else expectOciError(response, 403, "DENIED", expect.stringMatching(/^access denied: .*(needs|scope)/))
    }

    it.each([
      refused(["read_api"]),
      refused(["read_user", "read_repository"]),
      allowed(["read_registry"]),
      allowed(["write_registry"]),
      allowed(["api"]),
      refused(["read_virtual_registry"]),
      allowed(["read_virtual_registry", "read_registry"]),
      refused(["write_virtual_registry"]),
      allowed(["write_virtual_registry", "write_registry"]),
      refused(["write_virtual_registry", "read_registry"]),
      refused(["read_virtual_registry", "write_registry"])
    ])("personal access token with $scopes: allowed $allowed", async ({ scopes, allowed: isAllowed }) => {
      const token = await pat(w.users.reporter, scopes)
      await expectScopeVerdict("reporter", token.token, isAllowed)
    })

    it.each([
      refused(["read_repository"]),
      refused(["read_package_registry"]),
      allowed(["read_registry"]),
      allowed(["write_registry"]),
      refused(["read_virtual_registry"]),
      allowed(["read_virtual_registry", "read_registry"]),
      refused(["write_virtual_registry"]),
      allowed(["write_virtual_registry", "write_registry"])
    ])("deploy token with $scopes: allowed $allowed", async ({ scopes, allowed: isAllowed }) => {
      const token = await w.h.run(createDeployToken({ groupId: w.groups.top, name: "d", username: "scoped-deployer", scopes, expiresAt: null }))
      await expectScopeVerdict("scoped-deployer", token.token, isAllowed)
    })

    it.each([
      refused(["read_api"]),
      allowed(["read_registry"]),
      allowed(["api"]),
      refused(["read_virtual_registry"]),
      allowed(["read_virtual_registry", "read_registry"]),
      refused(["write_virtual_registry"]),
      allowed(["write_virtual_registry", "write_registry"])
    ])("group access token with $scopes: allowed $allowed", async ({ scopes, allowed: isAllowed }) => {
      const token = await w.h.run(createGroupAccessToken({ groupId: w.groups.top, name: "g", scopes, accessLevel: 20, expiresAt: null }))
      await expectScopeVerdict("anyone", token.token, isAllowed)
    })
  })

  describe("the token response and the scope parameter", () => {
    it("answers {token, access_token, expires_in, issued_at} with the same token twice and a 900 s lifetime", async () => {
      const before = Date.now()
      const response = await requestToken(w.app, "reporter", passwordOf("reporter"), [ALPINE_TOP])
      expectApiVersion(response)
      const body = tokenBody(response)
      expect(body.keys).toEqual(["access_token", "expires_in", "issued_at", "token"])
      expect(body.accessToken).toBe(body.token)
      expect(body.expiresIn).toBe(900)
      expect(typeof body.issuedAt).toBe("string")
      const issuedAt = Date.parse(String(body.issuedAt))
      // issued_at is whole seconds (the JWT's iat), so it may be up to a second before the request started.
      expect(issuedAt).toBeGreaterThanOrEqual(before - 1_000)
      expect(issuedAt).toBeLessThanOrEqual(Date.now())
      expect(jwtPayload(body.token).exp).toBe(Math.floor(issuedAt / 1000) + 900)
    })

    it("accepts repeated scope parameters: one token for both repositories", async () => {
      const token = await issueToken(w.app, "reporter", passwordOf("reporter"), [ALPINE_TOP, ALPINE_SUB])
      expectPulled(await getManifest(w.app, token, "top"))
      expectPulled(await getManifest(w.app, token, "top/sub"))
    })

    it.each([
      ["'+'", "+"],
      ["'%20'", "%20"]
    ])("accepts space-separated scopes in one parameter (space as %s)", async (_how, space) => {
      const response = await w.app.inject({
        method: "GET",
        url: `/jwt/auth?service=dependency_proxy&scope=${ALPINE_TOP}${space}${ALPINE_SUB}`,
        headers: { authorization: basic("reporter", passwordOf("reporter")) }
      })
      const token = tokenBody(response).token
      expectPulled(await getManifest(w.app, token, "top"))
      expectPulled(await getManifest(w.app, token, "top/sub"))
    })

    it("signs in without a scope (docker login): a token that opens /v2/ and names no repository", async () => {
      const token = await issueToken(w.app, "reporter", passwordOf("reporter"), [])
      expect(jwtPayload(token).access).toEqual([])
      const base = await w.app.inject({ method: "GET", url: "/v2/", headers: { authorization: `Bearer ${token}` } })
      expect(base.statusCode).toBe(200)
      expectApiVersion(base)
      expect(base.body).toBe("{}")
    })

    it("grants at most pull, whatever actions are asked for", async () => {
      const token = await issueToken(w.app, "reporter", passwordOf("reporter"), [
        "repository:top/dependency_proxy/containers/alpine:pull,push",
        "repository:top/sub/dependency_proxy/containers/alpine:push"
      ])
      expect(jwtPayload(token).access).toEqual([
        { type: "repository", name: "top/dependency_proxy/containers/alpine", actions: ["pull"] }
      ])
    })
  })
})
