import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { RESOURCE_NOT_AVAILABLE } from "../../src/adapters/graphql/context.js"
import { EventStore } from "../../src/application/ports/EventStore.js"
import { streamId } from "../../src/domain/streams.js"
import { gql, type GraphqlWorld, graphqlWorld, SETTINGS_MUTATION } from "../support/worlds/graphqlWorld.js"

const SECRET = "dckr_pat_s3cr3t-never-shown"

describe("updateDependencyProxySettings over GraphQL", () => {
  let w: GraphqlWorld
  const bodies: Array<string> = []
  const mutate = async (input: Readonly<Record<string, unknown>>, token: string, requestId?: string) => {
    const response = await gql(w.app, {
      query: SETTINGS_MUTATION,
      variables: { input: { groupPath: "acme", ...input } },
      token,
      ...(requestId === undefined ? {} : { headers: { "x-request-id": requestId } })
    })
    bodies.push(response.body)
    return response
  }
  const groupEvents = () =>
    w.h.run(EventStore.pipe(Effect.flatMap((store) => store.readStream(streamId("group", w.groupId)))))

  beforeAll(async () => {
    w = await graphqlWorld()
  })
  afterAll(() => w.h.close())

  it("lets the Owner disable, configure and enable the proxy; each change is recorded with the Owner as actor", async () => {
    const before = (await groupEvents()).length

    const disabled = await mutate({ enabled: false }, w.tokens.owner, "req-disable")
    expect(disabled.statusCode).toBe(200)
    expect(disabled.json()).toEqual({
      data: { updateDependencyProxySettings: { dependencyProxySetting: { enabled: false, identity: null }, errors: [] } }
    })
    const configured = await mutate({ identity: "acme-bot", secret: SECRET }, w.tokens.owner, "req-configure")
    expect(configured.json()).toEqual({
      data: { updateDependencyProxySettings: { dependencyProxySetting: { enabled: false, identity: "acme-bot" }, errors: [] } }
    })
    const enabled = await mutate({ enabled: true }, w.tokens.owner, "req-enable")
    expect(enabled.json()).toEqual({
      data: { updateDependencyProxySettings: { dependencyProxySetting: { enabled: true, identity: "acme-bot" }, errors: [] } }
    })

    const changes = (await groupEvents()).slice(before)
    expect(changes.map((e) => [e.type, e.metadata.actor, e.metadata.requestId])).toEqual([
      ["DependencyProxySettingChanged", `user:${w.users.owner}`, "req-disable"],
      ["DockerHubCredentialsSet", `user:${w.users.owner}`, "req-configure"],
      ["DependencyProxySettingChanged", `user:${w.users.owner}`, "req-enable"]
    ])

    const history = await gql(w.app, {
      query: `{ group(fullPath: "acme") { dependencyProxySettingsHistory { nodes { actor setting from to } } } }`,
      token: w.tokens.owner
    })
    bodies.push(history.body)
    const actor = `user:${w.users.owner}`
    expect(history.json()).toEqual({
      data: {
        group: {
          dependencyProxySettingsHistory: {
            nodes: [
              { actor, setting: "enabled", from: "true", to: "false" },
              { actor, setting: "identity", from: null, to: "acme-bot" },
              { actor, setting: "secret", from: null, to: "changed" },
              { actor, setting: "enabled", from: "false", to: "true" }
            ]
          }
        }
      }
    })
  })

  it("refuses identity without secret with the domain's message, and changes nothing", async () => {
    const before = (await groupEvents()).length
    const response = await mutate({ enabled: false, identity: "someone-else" }, w.tokens.owner)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      data: {
        updateDependencyProxySettings: {
          dependencyProxySetting: null,
          errors: ["secret must be set together with identity (both or neither)"]
        }
      }
    })
    expect(await groupEvents()).toHaveLength(before)
  })

  it.each([
    ["a Maintainer", "maintainer"],
    ["a Guest", "guest"],
    ["an outsider", "outsider"],
    ["the Owner with a read_api token", "ownerReadOnly"]
  ] as const)("refuses %s with GitLab's top-level error and records nothing", async (_who, key) => {
    const before = (await groupEvents()).length
    const response = await mutate({ enabled: false }, w.tokens[key])
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      data: { updateDependencyProxySettings: null },
      errors: [{ message: RESOURCE_NOT_AVAILABLE, path: ["updateDependencyProxySettings"] }]
    })
    expect(await groupEvents()).toHaveLength(before)
  })

  it("answers an anonymous caller and a group that does not exist the same way", async () => {
    const anonymous = await gql(w.app, { query: SETTINGS_MUTATION, variables: { input: { groupPath: "acme", enabled: false } } })
    const missing = await mutate({ groupPath: "no-such-group", enabled: false }, w.tokens.owner)
    for (const response of [anonymous, missing]) {
      expect(response.json()).toMatchObject({ data: { updateDependencyProxySettings: null }, errors: [{ message: RESOURCE_NOT_AVAILABLE }] })
    }
  })

  it("clears the credentials when both are null", async () => {
    const response = await mutate({ identity: null, secret: null }, w.tokens.owner)
    expect(response.json()).toEqual({
      data: { updateDependencyProxySettings: { dependencyProxySetting: { enabled: true, identity: null }, errors: [] } }
    })
  })

  it("never sends the Docker Hub secret back, in any response of this suite", () => {
    expect(bodies.length).toBeGreaterThan(5)
    for (const body of bodies) expect(body).not.toContain(SECRET)
  })
})
