import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MAX_QUERY_SIZE } from "../../src/adapters/graphql/request.js"
import { gql, type GraphqlWorld, graphqlWorld, SETTINGS_MUTATION } from "./graphqlWorld.js"

const SECRET = "hub-secret-for-http-suite"

describe("POST /api/graphql as HTTP", () => {
  let w: GraphqlWorld
  beforeAll(async () => {
    w = await graphqlWorld()
  })
  afterAll(() => w.h.close())

  it("answers a malformed query with 400 and a syntax error, not 500", async () => {
    const response = await gql(w.app, { query: "{ group(fullPath: ", token: w.tokens.owner })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ errors: [{ message: "Syntax Error: Unexpected <EOF>.", locations: [{ line: 1, column: 19 }] }] })
  })

  it("answers a field the schema does not have with 400 naming it", async () => {
    const response = await gql(w.app, { query: `{ group(fullPath: "acme") { dependencyProxySecret } }`, token: w.tokens.owner })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ errors: [{ message: expect.stringContaining(`Cannot query field "dependencyProxySecret" on type "Group".`) }] })
  })

  it("answers a body without a query with 400", async () => {
    const response = await w.app.inject({ method: "POST", url: "/api/graphql", payload: { variables: {} } })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ errors: [{ message: expect.stringContaining("`query`") }] })
  })

  it("answers variables that do not fit with 400, and never quotes the secret back", async () => {
    const response = await gql(w.app, {
      query: SETTINGS_MUTATION,
      variables: { input: { groupPath: "acme", identity: "bot", secret: SECRET, colour: "blue" } },
      token: w.tokens.owner
    })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ errors: [{ message: expect.stringContaining(`Field "colour" is not defined`) }] })
    expect(response.body).toContain("[FILTERED]")
    expect(response.body).not.toContain(SECRET)
  })

  it("does not quote an inline secret back from a syntax error either", async () => {
    const response = await gql(w.app, {
      query: `mutation { updateDependencyProxySettings(input: {groupPath: "acme" identity: "bot" secret: "${SECRET}" "${SECRET}"}) { errors } }`,
      token: w.tokens.owner
    })
    expect(response.statusCode).toBe(400)
    // graphql-js names the string token it stopped at: the secret, here.
    expect(response.json()).toMatchObject({ errors: [{ message: `Syntax Error: Expected Name, found String "[FILTERED]".` }] })
    expect(response.body).not.toContain(SECRET)
  })

  it("refuses a query longer than GitLab's limit with 422", async () => {
    const response = await gql(w.app, { query: `{ group(fullPath: "acme") { fullPath } }`.padEnd(MAX_QUERY_SIZE + 1, " "), token: w.tokens.owner })
    expect(response.statusCode).toBe(422)
    expect(response.json()).toEqual({ errors: [{ message: "Query too large" }] })
  })
})
