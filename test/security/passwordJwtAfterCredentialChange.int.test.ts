import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { changePassword, changeUser } from "../../src/application/useCases/users.js"
import { addMember, addUser, expectBearerChallenge, expectPulled, getManifest, passwordOf, pullToken, type World, worldHarness } from "../support/worlds/httpWorld.js"

/**
 * Finding 4: a registry JWT obtained with a password kept working after the user turned on two-factor
 * authentication (which makes passwords unusable here), until it expired. The same holds for a password change.
 */
describe("a password-derived registry JWT after the credentials change", () => {
  let w: World
  beforeAll(async () => {
    w = await worldHarness()
  })
  afterAll(() => w.h.close())

  const member = async (username: string) => {
    const id = await addUser(w.h, username)
    await addMember(w.h, w.groups.top, id, 30)
    return id
  }

  it("is refused on the next request once two-factor authentication is on", async () => {
    const id = await member("turns-on-2fa")
    const jwt = await pullToken(w.app, "turns-on-2fa", passwordOf("turns-on-2fa"), "top")
    expectPulled(await getManifest(w.app, jwt, "top"))
    await w.h.run(changeUser(id, { _tag: "SetTwoFactor", enabled: true }))
    expectBearerChallenge(await getManifest(w.app, jwt, "top"), "top", expect.stringContaining("two-factor authentication is enabled"))
  })

  it("is refused on the next request once the password changed; a JWT for the new password works", async () => {
    const id = await member("changes-password")
    const jwt = await pullToken(w.app, "changes-password", passwordOf("changes-password"), "top")
    expectPulled(await getManifest(w.app, jwt, "top"))
    await w.h.run(changePassword(id, "a-brand-new-password"))
    expectBearerChallenge(await getManifest(w.app, jwt, "top"), "top", expect.stringContaining("the password has changed"))
    expectPulled(await getManifest(w.app, await pullToken(w.app, "changes-password", "a-brand-new-password", "top"), "top"))
  })

  it("is refused on the next request once the user is blocked", async () => {
    const id = await member("gets-blocked")
    const jwt = await pullToken(w.app, "gets-blocked", passwordOf("gets-blocked"), "top")
    await w.h.run(changeUser(id, { _tag: "BlockUser" }))
    expectBearerChallenge(await getManifest(w.app, jwt, "top"), "top", expect.stringContaining("blocked"))
  })
})
