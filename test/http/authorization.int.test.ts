import type { LightMyRequestResponse } from "fastify"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { changeGroup, createGroup, updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { endSsoSession, startSsoSession } from "../../src/application/useCases/sso.js"
import { createDeployToken, createGroupAccessToken } from "../../src/application/useCases/accessTokens.js"
import { createJobToken } from "../../src/application/useCases/jobTokens.js"
import { type IssuedToken } from "../../src/application/useCases/tokenIssuance.js"
import { pullManifest } from "../support/registryApp.js"
import {
  addMember,
  addUser,
  expectNameUnknown,
  expectPulled,
  getManifest,
  IMAGE,
  passwordOf,
  pullToken,
  waitUntil,
  type World,
  worldHarness
} from "../support/worlds/httpWorld.js"

/** Status, body and headers, without the ones that differ per response (date). */
const observable = (response: LightMyRequestResponse) => {
  const { date: _date, ...headers } = response.headers
  return { status: response.statusCode, body: response.body, headers }
}

describe("who may pull through which group (SPEC §4), checked on every registry request", () => {
  let w: World
  const pull = (username: string, secret: string, group: string) => pullManifest(w.app, username, secret, group, IMAGE.image, IMAGE.tag)
  const pullAs = (username: string, group: string) => pull(username, passwordOf(username), group)

  beforeAll(async () => {
    w = await worldHarness()
  })
  afterAll(() => w.h.close())

  describe("roles and inheritance", () => {
    it.each(["guest", "reporter", "developer", "maintainer", "owner"])(
      "a %s of top pulls through top, top/sub and top/sub/subsub",
      async (username) => {
        for (const group of ["top", "top/sub", "top/sub/subsub", "top/sibling"]) expectPulled(await pullAs(username, group))
      }
    )

    it("a member of top/sub/subsub pulls there, but not through its ancestors", async () => {
      expectPulled(await pullAs("deep-member", "top/sub/subsub"))
      expectNameUnknown(await pullAs("deep-member", "top/sub"))
      expectNameUnknown(await pullAs("deep-member", "top"))
    })

    it("a member of top/sub pulls through top/sub and below, not through top, a sibling or another top-level group", async () => {
      expectPulled(await pullAs("sub-member", "top/sub"))
      expectPulled(await pullAs("sub-member", "top/sub/subsub"))
      expectNameUnknown(await pullAs("sub-member", "top"))
      expectNameUnknown(await pullAs("sub-member", "top/sibling"))
      expectNameUnknown(await pullAs("sub-member", "other"))
    })

    it("group paths are matched case-insensitively, as GitLab's are", async () => {
      expectPulled(await pullAs("sub-member", "Top/SUB"))
    })

    it("an instance admin with no membership pulls through any group", async () => {
      for (const group of ["top", "top/sub/subsub", "other"]) expectPulled(await pullAs("root-admin", group))
    })

    it("a CI job token pulls as the job's user: where the user may, and nowhere else", async () => {
      const job = await w.h.run(createJobToken({ userId: w.users.subMember, groupId: w.groups.sub }))
      expectPulled(await pull("gitlab-ci-token", job.token, "top/sub/subsub"))
      expectNameUnknown(await pull("gitlab-ci-token", job.token, "top"))
    })
  })

  describe("every authorization 'no' is the same 404 NAME_UNKNOWN", () => {
    it("a non-member, whether or not the group exists", async () => {
      const existing = await pullAs("outsider", "top")
      const missing = await pullAs("outsider", "no-such-group")
      const missingSub = await pullAs("outsider", "top/no-such-sub")
      for (const response of [existing, missing, missingSub]) expectNameUnknown(response)
      expect(observable(missing)).toEqual(observable(existing))
      expect(observable(missingSub)).toEqual(observable(existing))
    })

    it("an admin asking for a group that does not exist", async () => {
      expectNameUnknown(await pullAs("root-admin", "no-such-group"))
    })

    it("a group whose dependency proxy setting is off: members, admins and deploy tokens alike", async () => {
      const quiet = await w.h.run(createGroup({ path: "quiet", name: "Quiet", parentId: null, ownerUserId: w.users.olga }))
      await w.h.run(createGroup({ path: "inner", name: "Inner", parentId: quiet, ownerUserId: w.users.olga }))
      const deploy = await w.h.run(createDeployToken({ groupId: quiet, name: "d", username: "quiet-deployer", scopes: ["read_registry"], expiresAt: null }))
      expectPulled(await pullAs("olga", "quiet"))
      await w.h.run(updateDependencyProxySettings(quiet, { enabled: false }))
      const refused = await pullAs("olga", "quiet")
      expectNameUnknown(refused)
      expectNameUnknown(await pullAs("root-admin", "quiet"))
      expectNameUnknown(await pull("quiet-deployer", deploy.token, "quiet"))
      expect(observable(refused)).toEqual(observable(await pullAs("olga", "no-such-group")))
      // The setting is per group: a subgroup keeps its own (enabled) setting.
      expectPulled(await pullAs("olga", "quiet/inner"))
    })
  })

  describe("group access tokens and deploy tokens of top/sub", () => {
    let groupToken: IssuedToken
    let deploy: IssuedToken
    beforeAll(async () => {
      groupToken = await w.h.run(createGroupAccessToken({ groupId: w.groups.sub, name: "g", scopes: ["read_registry"], accessLevel: 10, expiresAt: null }))
      deploy = await w.h.run(createDeployToken({ groupId: w.groups.sub, name: "d", username: "sub-deployer", scopes: ["read_registry"], expiresAt: null }))
    })

    it.each([
      ["group access token", "anyone"],
      ["deploy token", "sub-deployer"]
    ])("a %s pulls through top/sub and top/sub/subsub, not through top, a sibling or another group", async (kind, username) => {
      const secret = kind === "deploy token" ? deploy.token : groupToken.token
      expectPulled(await pull(username, secret, "top/sub"))
      expectPulled(await pull(username, secret, "top/sub/subsub"))
      for (const group of ["top", "top/sibling", "other"]) expectNameUnknown(await pull(username, secret, group))
    })
  })

  describe("SAML SSO enforced on the top-level group", () => {
    let ssoTop = 0
    let member = 0
    let subMember = 0
    let groupToken: IssuedToken
    let deploy: IssuedToken
    beforeAll(async () => {
      ssoTop = await w.h.run(createGroup({ path: "sso-top", name: "SSO", parentId: null, ownerUserId: w.users.olga }))
      const ssoSub = await w.h.run(createGroup({ path: "sso-sub", name: "SSO sub", parentId: ssoTop, ownerUserId: w.users.olga }))
      member = await addUser(w.h, "sso-member")
      await addMember(w.h, ssoTop, member, 30)
      subMember = await addUser(w.h, "sso-sub-member")
      await addMember(w.h, ssoSub, subMember, 30)
      groupToken = await w.h.run(createGroupAccessToken({ groupId: ssoTop, name: "g", scopes: ["read_registry"], accessLevel: 20, expiresAt: null }))
      deploy = await w.h.run(createDeployToken({ groupId: ssoTop, name: "d", username: "sso-deployer", scopes: ["read_registry"], expiresAt: null }))
      // Before enforcement the member pulls: the refusals below are SSO's doing.
      expectPulled(await pullAs("sso-member", "sso-top"))
      await w.h.run(changeGroup(ssoTop, { _tag: "SetSsoEnforcement", enforced: true }))
    })

    it("a member without an active session gets the same 404 as anyone refused", async () => {
      const refused = await pullAs("sso-member", "sso-top")
      expectNameUnknown(refused)
      expect(observable(refused)).toEqual(observable(await pullAs("sso-member", "no-such-group")))
      // Enforcement is read from the top-level group, so it covers subgroups too.
      expectNameUnknown(await pullAs("sso-sub-member", "sso-top/sso-sub"))
    })

    it("a session with another top-level group does not count", async () => {
      await w.h.run(startSsoSession({ userId: member, groupId: w.groups.top, expiresAt: null }))
      expectNameUnknown(await pullAs("sso-member", "sso-top"))
    })

    it("a session opens the group; ending it closes the group on the next request with the same JWT", async () => {
      await w.h.run(startSsoSession({ userId: member, groupId: ssoTop, expiresAt: null }))
      const token = await pullToken(w.app, "sso-member", passwordOf("sso-member"), "sso-top")
      expectPulled(await getManifest(w.app, token, "sso-top"))
      await w.h.run(endSsoSession(member, ssoTop))
      expectNameUnknown(await getManifest(w.app, token, "sso-top"))
    })

    it("a member of a subgroup needs the session with the top-level group", async () => {
      await w.h.run(startSsoSession({ userId: subMember, groupId: ssoTop, expiresAt: null }))
      expectPulled(await pullAs("sso-sub-member", "sso-top/sso-sub"))
    })

    it("a session that runs out closes the group, as one that is ended", async () => {
      const shortLived = await addUser(w.h, "sso-short")
      await addMember(w.h, ssoTop, shortLived, 30)
      // Creation demands a future expiry: a session of under a second, then a short poll for the clock to pass it.
      await w.h.run(startSsoSession({ userId: shortLived, groupId: ssoTop, expiresAt: new Date(Date.now() + 800) }))
      const token = await pullToken(w.app, "sso-short", passwordOf("sso-short"), "sso-top")
      expectPulled(await getManifest(w.app, token, "sso-top"))
      await waitUntil(async () => (await getManifest(w.app, token, "sso-top")).statusCode !== 200)
      expectNameUnknown(await getManifest(w.app, token, "sso-top"))
    })

    it("group access tokens, deploy tokens and admins are not held to SSO", async () => {
      expectPulled(await pull("anyone", groupToken.token, "sso-top"))
      expectPulled(await pull("sso-deployer", deploy.token, "sso-top/sso-sub"))
      expectPulled(await pullAs("root-admin", "sso-top"))
    })
  })
})

describe("with the instance switch (DEPENDENCY_PROXY_ENABLED) off", () => {
  let w: World
  beforeAll(async () => {
    w = await worldHarness({ instanceEnabled: false })
  })
  afterAll(() => w.h.close())

  it("nobody pulls: owners, admins and deploy tokens get the same 404 as for a missing group", async () => {
    const pull = (username: string, secret: string, group: string) => pullManifest(w.app, username, secret, group, IMAGE.image, IMAGE.tag)
    const deploy = await w.h.run(createDeployToken({ groupId: w.groups.top, name: "d", username: "off-deployer", scopes: ["read_registry"], expiresAt: null }))
    const owner = await pull("olga", passwordOf("olga"), "top")
    expectNameUnknown(owner)
    expectNameUnknown(await pull("root-admin", passwordOf("root-admin"), "top"))
    expectNameUnknown(await pull("off-deployer", deploy.token, "top"))
    expect(observable(owner)).toEqual(observable(await pull("olga", passwordOf("olga"), "no-such-group")))
  })
})
