import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { type ApiWorld, apiWorld, call, expectError, expectList, FORBIDDEN, notFound } from "../support/worlds/apiWorld.js"

/** Finding 7: the REST settings history answered Guests; GraphQL and the UI showed it to Owners only. */
describe("the settings history over REST", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
    await w.h.run(updateDependencyProxySettings(w.groups.top, { identity: "hub-identity-7", secret: "hub-secret-7" }))
  })
  afterAll(() => w.h.close())

  const history = (token: string) => call(w.app, "GET", `/api/v4/groups/${w.groups.top}/dependency_proxy/settings/history`, { token })

  it("is refused to Guests and Maintainers, not found for outsiders, and shown to Owners", async () => {
    for (const token of [w.guest.token, w.guestReadOnly, w.maintainer.token]) {
      const response = await history(token)
      expectError(response, 403, FORBIDDEN)
      expect(response.body).not.toContain("hub-identity-7")
    }
    expectError(await history(w.outsider.token), 404, notFound("Group"))
    const owners = expectList(await history(w.owner.token))
    expect(owners.map((e) => [e.setting, e.to])).toEqual([["identity", "hub-identity-7"], ["secret", "changed"]])
    expect(JSON.stringify(owners)).not.toContain("hub-secret-7")
  })
})
