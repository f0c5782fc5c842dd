import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { changeGroup, createGroup, updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { createDeployToken, createGroupAccessToken, createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { createJobToken } from "../../src/application/useCases/jobTokens.js"
import { finishJob, revokeToken } from "../../src/application/useCases/tokenLifecycle.js"
import { changeUser } from "../../src/application/useCases/users.js"
import {
  addMember,
  addUser,
  bearer,
  expectBearerChallenge,
  expectNameUnknown,
  expectPulled,
  getManifest,
  passwordOf,
  pullToken,
  waitUntil,
  type World,
  worldHarness
} from "../support/worlds/httpWorld.js"

/** When member commands are decided: the last-Owner rule counts the Owners whose membership has not ended by then. */
const NOW = new Date("2026-12-05T12:00:00Z")

/**
 * A registry JWT lives 15 minutes, but what it stands for is re-checked on every request: each change below must
 * take effect on the very next request made with a JWT issued before it. Each test makes its own principal (and
 * group where it changes one) so that the changes do not leak into other tests.
 */
describe("live re-check of a JWT's credential and authorization", () => {
  let w: World
  let n = 0
  /** A fresh Developer of a fresh top-level group. */
  const freshMember = async () => {
    n += 1
    const username = `live-${n}`
    const userId = await addUser(w.h, username)
    const groupPath = `live-group-${n}`
    const groupId = await w.h.run(createGroup({ path: groupPath, name: groupPath, parentId: null, ownerUserId: w.users.olga }))
    await addMember(w.h, groupId, userId, 30)
    return { username, userId, groupPath, groupId }
  }

  beforeAll(async () => {
    w = await worldHarness()
  })
  afterAll(() => w.h.close())

  it("revoking the personal access token: 401", async () => {
    const m = await freshMember()
    const pat = await w.h.run(createPersonalAccessToken({ userId: m.userId, name: "p", scopes: ["read_registry"], expiresAt: null }))
    const token = await pullToken(w.app, m.username, pat.token, m.groupPath)
    expectPulled(await getManifest(w.app, token, m.groupPath))
    await w.h.run(revokeToken(pat.tokenId))
    expectBearerChallenge(await getManifest(w.app, token, m.groupPath), m.groupPath, expect.stringMatching(/revoked/))
  })

  it("the personal access token reaching its expiry: 401", async () => {
    const m = await freshMember()
    // Creation demands a future expiry: one second ahead, then a short poll for the clock to pass it.
    const pat = await w.h.run(createPersonalAccessToken({ userId: m.userId, name: "p", scopes: ["read_registry"], expiresAt: new Date(Date.now() + 1_000) }))
    const token = await pullToken(w.app, m.username, pat.token, m.groupPath)
    expectPulled(await getManifest(w.app, token, m.groupPath))
    await waitUntil(async () => (await getManifest(w.app, token, m.groupPath)).statusCode !== 200)
    expectBearerChallenge(await getManifest(w.app, token, m.groupPath), m.groupPath, expect.stringMatching(/expired/))
  })

  it("finishing the job: 401", async () => {
    const m = await freshMember()
    const job = await w.h.run(createJobToken({ userId: m.userId, groupId: m.groupId }))
    const token = await pullToken(w.app, "gitlab-ci-token", job.token, m.groupPath)
    expectPulled(await getManifest(w.app, token, m.groupPath))
    await w.h.run(finishJob(job.tokenId))
    expectBearerChallenge(await getManifest(w.app, token, m.groupPath), m.groupPath, expect.stringMatching(/job has finished/))
  })

  it("blocking the user: 401 for the password's JWT, the token's JWT and on /v2/", async () => {
    const m = await freshMember()
    const pat = await w.h.run(createPersonalAccessToken({ userId: m.userId, name: "p", scopes: ["read_registry"], expiresAt: null }))
    const byPassword = await pullToken(w.app, m.username, passwordOf(m.username), m.groupPath)
    const byPat = await pullToken(w.app, m.username, pat.token, m.groupPath)
    expectPulled(await getManifest(w.app, byPassword, m.groupPath))
    await w.h.run(changeUser(m.userId, { _tag: "BlockUser" }))
    expectBearerChallenge(await getManifest(w.app, byPassword, m.groupPath), m.groupPath, expect.stringMatching(/blocked/))
    expectBearerChallenge(await getManifest(w.app, byPat, m.groupPath), m.groupPath, expect.stringMatching(/blocked/))
    const base = await w.app.inject({ method: "GET", url: "/v2/", headers: bearer(byPassword) })
    expect(base.statusCode).toBe(401)
  })

  it("revoking a deploy token or a group access token: 401", async () => {
    const m = await freshMember()
    const deploy = await w.h.run(createDeployToken({ groupId: m.groupId, name: "d", username: `deployer-${n}`, scopes: ["read_registry"], expiresAt: null }))
    const groupToken = await w.h.run(createGroupAccessToken({ groupId: m.groupId, name: "g", scopes: ["read_registry"], accessLevel: 10, expiresAt: null }))
    const byDeploy = await pullToken(w.app, `deployer-${n}`, deploy.token, m.groupPath)
    const byGroupToken = await pullToken(w.app, "anyone", groupToken.token, m.groupPath)
    expectPulled(await getManifest(w.app, byDeploy, m.groupPath))
    expectPulled(await getManifest(w.app, byGroupToken, m.groupPath))
    await w.h.run(revokeToken(deploy.tokenId))
    await w.h.run(revokeToken(groupToken.tokenId))
    expectBearerChallenge(await getManifest(w.app, byDeploy, m.groupPath), m.groupPath, expect.stringMatching(/revoked/))
    expectBearerChallenge(await getManifest(w.app, byGroupToken, m.groupPath), m.groupPath, expect.stringMatching(/revoked/))
  })

  it("removing the member: 404", async () => {
    const m = await freshMember()
    const token = await pullToken(w.app, m.username, passwordOf(m.username), m.groupPath)
    expectPulled(await getManifest(w.app, token, m.groupPath))
    await w.h.run(changeGroup(m.groupId, { _tag: "RemoveMember", userId: m.userId, now: NOW }))
    expectNameUnknown(await getManifest(w.app, token, m.groupPath))
  })

  it("removing a group access token's bot from the group: 404 (the token acts as its bot member)", async () => {
    const m = await freshMember()
    const groupToken = await w.h.run(createGroupAccessToken({ groupId: m.groupId, name: "g", scopes: ["read_registry"], accessLevel: 20, expiresAt: null }))
    const bot = groupToken.userId
    if (bot === null) throw new Error("a group access token is issued with its bot user")
    const token = await pullToken(w.app, "anyone", groupToken.token, m.groupPath)
    expectPulled(await getManifest(w.app, token, m.groupPath))
    await w.h.run(changeGroup(m.groupId, { _tag: "RemoveMember", userId: bot, now: NOW }))
    expectNameUnknown(await getManifest(w.app, token, m.groupPath))
  })

  it("changing the member's role keeps access (every role may pull)", async () => {
    const m = await freshMember()
    const token = await pullToken(w.app, m.username, passwordOf(m.username), m.groupPath)
    await w.h.run(changeGroup(m.groupId, { _tag: "ChangeMemberAccessLevel", userId: m.userId, accessLevel: 10, now: NOW }))
    expectPulled(await getManifest(w.app, token, m.groupPath))
  })

  it("disabling the group's dependency proxy setting: 404, for members and deploy tokens", async () => {
    const m = await freshMember()
    const deploy = await w.h.run(createDeployToken({ groupId: m.groupId, name: "d", username: `deployer-${n}`, scopes: ["read_registry"], expiresAt: null }))
    const byPassword = await pullToken(w.app, m.username, passwordOf(m.username), m.groupPath)
    const byDeploy = await pullToken(w.app, `deployer-${n}`, deploy.token, m.groupPath)
    expectPulled(await getManifest(w.app, byPassword, m.groupPath))
    await w.h.run(updateDependencyProxySettings(m.groupId, { enabled: false }))
    expectNameUnknown(await getManifest(w.app, byPassword, m.groupPath))
    expectNameUnknown(await getManifest(w.app, byDeploy, m.groupPath))
    // And back on: the same JWTs work again, since nothing about them was wrong.
    await w.h.run(updateDependencyProxySettings(m.groupId, { enabled: true }))
    expectPulled(await getManifest(w.app, byPassword, m.groupPath))
  })

  it("taking away admin from an admin without membership: 404", async () => {
    n += 1
    const username = `live-admin-${n}`
    const adminId = await addUser(w.h, username, true)
    const token = await pullToken(w.app, username, passwordOf(username), "other")
    expectPulled(await getManifest(w.app, token, "other"))
    await w.h.run(changeUser(adminId, { _tag: "SetAdmin", admin: false }))
    expectNameUnknown(await getManifest(w.app, token, "other"))
  })
})
