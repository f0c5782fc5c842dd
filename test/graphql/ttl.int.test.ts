import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { RESOURCE_NOT_AVAILABLE } from "../../src/adapters/graphql/context.js"
import { gql, type GraphqlWorld, graphqlWorld, TTL_MUTATION } from "../support/worlds/graphqlWorld.js"

const PolicyTimes = Schema.Struct({
  data: Schema.Struct({ group: Schema.Struct({ dependencyProxyImageTtlPolicy: Schema.Struct({ createdAt: Schema.String, updatedAt: Schema.String }) }) })
})

describe("the image TTL policy over GraphQL", () => {
  let w: GraphqlWorld
  const mutate = (input: Readonly<Record<string, unknown>>, token: string) =>
    gql(w.app, { query: TTL_MUTATION, variables: { input: { groupPath: "acme", ...input } }, token })
  const policyAs = (token: string) => gql(w.app, { query: `{ group(fullPath: "acme") { dependencyProxyImageTtlPolicy { enabled ttl } } }`, token })
  const policyIs = (enabled: boolean, ttl: number) => ({ data: { group: { dependencyProxyImageTtlPolicy: { enabled, ttl } } } })
  const changed = (enabled: boolean, ttl: number) => ({
    data: { updateDependencyProxyImageTtlGroupPolicy: { dependencyProxyImageTtlPolicy: { enabled, ttl }, errors: [] } }
  })

  beforeAll(async () => {
    w = await graphqlWorld()
  })
  afterAll(() => w.h.close())

  it("starts disabled with GitLab's 90 days, and keeps 90 when first enabled without a ttl", async () => {
    expect((await policyAs(w.tokens.owner)).json()).toEqual(policyIs(false, 90))
    expect((await mutate({ enabled: true }, w.tokens.owner)).json()).toEqual(changed(true, 90))
    expect((await policyAs(w.tokens.owner)).json()).toEqual(policyIs(true, 90))
  })

  it("sets a ttl, which every member can read", async () => {
    expect((await mutate({ ttl: 30 }, w.tokens.owner)).json()).toEqual(changed(true, 30))
    expect((await policyAs(w.tokens.guest)).json()).toEqual(policyIs(true, 30))
  })

  it("refuses ttl 0 with a message naming ttl, and keeps the policy", async () => {
    const response = await mutate({ enabled: false, ttl: 0 }, w.tokens.owner)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      data: {
        updateDependencyProxyImageTtlGroupPolicy: {
          dependencyProxyImageTtlPolicy: null,
          errors: ["ttl must be a whole number of days between 1 and 36500"]
        }
      }
    })
    expect((await policyAs(w.tokens.owner)).json()).toEqual(policyIs(true, 30))
  })

  it("refuses a Maintainer with GitLab's top-level error", async () => {
    const response = await mutate({ enabled: false }, w.tokens.maintainer)
    expect(response.json()).toMatchObject({
      data: { updateDependencyProxyImageTtlGroupPolicy: null },
      errors: [{ message: RESOURCE_NOT_AVAILABLE, path: ["updateDependencyProxyImageTtlGroupPolicy"] }]
    })
    expect((await policyAs(w.tokens.owner)).json()).toEqual(policyIs(true, 30))
  })

  it("has GitLab's createdAt (the group's creation) and updatedAt (the last TTL change, not other settings)", async () => {
    const query = `{ group(fullPath: "acme") { dependencyProxyImageTtlPolicy { createdAt updatedAt } } }`
    const read = async () => {
      const body: unknown = (await gql(w.app, { query, token: w.tokens.owner })).json()
      const policy = Schema.decodeUnknownSync(PolicyTimes)(body).data.group.dependencyProxyImageTtlPolicy
      return { createdAt: Date.parse(policy.createdAt), updatedAt: Date.parse(policy.updatedAt) }
    }
    const before = await read()
    expect(before.updatedAt).toBeGreaterThanOrEqual(before.createdAt)
    await gql(w.app, {
      query: `mutation { updateDependencyProxySettings(input: {groupPath: "acme", enabled: false}) { errors } }`,
      token: w.tokens.owner
    })
    expect(await read()).toEqual(before)
    expect((await mutate({ ttl: 31 }, w.tokens.owner)).json()).toMatchObject(changed(true, 31))
    const after = await read()
    expect(after.createdAt).toBe(before.createdAt)
    expect(after.updatedAt).toBeGreaterThan(before.updatedAt)
  })

  it("echoes clientMutationId, as every GitLab mutation does", async () => {
    const response = await gql(w.app, {
      query: `mutation { updateDependencyProxyImageTtlGroupPolicy(input: {groupPath: "acme", clientMutationId: "abc"}) { clientMutationId errors } }`,
      token: w.tokens.owner
    })
    expect(response.json()).toEqual({ data: { updateDependencyProxyImageTtlGroupPolicy: { clientMutationId: "abc", errors: [] } } })
  })
})
