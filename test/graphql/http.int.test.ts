import { getIntrospectionQuery } from "graphql"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MAX_BATCH_SIZE } from "../../src/adapters/graphql/httpRequest.js"
import { MAX_COMPLEXITY, MAX_DEPTH } from "../../src/adapters/graphql/complexity.js"
import { MAX_QUERY_SIZE } from "../../src/adapters/graphql/request.js"
import { gql, type GraphqlWorld, graphqlWorld, SETTINGS_MUTATION } from "../support/worlds/graphqlWorld.js"

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

describe("GET /api/graphql and batched requests", () => {
  let w: GraphqlWorld
  const PATH_QUERY = "query($path: ID!) { group(fullPath: $path) { fullPath } }"
  const getQuery = (params: Readonly<Record<string, string>>, token?: string) =>
    w.app.inject({ method: "GET", url: "/api/graphql", query: params, ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }) })
  const batch = (payload: ReadonlyArray<unknown>, token: string) =>
    w.app.inject({ method: "POST", url: "/api/graphql", headers: { authorization: `Bearer ${token}` }, payload: [...payload] })
  const proxySetting = async () =>
    (await gql(w.app, { query: `{ group(fullPath: "acme") { dependencyProxySetting { enabled } } }`, token: w.tokens.owner })).json()

  beforeAll(async () => {
    w = await graphqlWorld()
  })
  afterAll(() => w.h.close())

  it("runs a query sent as GET, variables as JSON in the query string", async () => {
    const response = await getQuery({ query: PATH_QUERY, variables: JSON.stringify({ path: "acme" }) }, w.tokens.guest)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ data: { group: { fullPath: "acme" } } })
  })

  it("answers GET variables that are not a JSON object with 400", async () => {
    const response = await getQuery({ query: PATH_QUERY, variables: "{path:" }, w.tokens.guest)
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ errors: [{ message: "Invalid variables: expected a JSON object" }] })
  })

  it("refuses a mutation over GET with GitLab's 422, and changes nothing", async () => {
    const before = await proxySetting()
    const response = await getQuery(
      { query: `mutation { updateDependencyProxySettings(input: {groupPath: "acme", enabled: false}) { errors } }` },
      w.tokens.owner
    )
    expect(response.statusCode).toBe(422)
    expect(response.json()).toEqual({ errors: [{ message: "Mutations are forbidden in GET requests" }] })
    expect(await proxySetting()).toEqual(before)
  })

  it("refuses it too when the mutation is one named operation of several", async () => {
    const query = `query Q { currentUser { username } } mutation M { updateDependencyProxySettings(input: {groupPath: "acme", enabled: false}) { errors } }`
    const response = await getQuery({ query, operationName: "M" }, w.tokens.owner)
    expect(response.statusCode).toBe(422)
    expect((await getQuery({ query, operationName: "Q" }, w.tokens.owner)).json()).toEqual({ data: { currentUser: { username: "olga" } } })
  })

  it("answers a batch (a JSON array, as Apollo's batch link sends) with an array in the same order", async () => {
    const response = await batch(
      [
        { query: PATH_QUERY, variables: { path: "acme" } },
        { query: "{ currentUser { username } }" },
        { query: PATH_QUERY, variables: { path: "nope" }, operationName: null }
      ],
      w.tokens.maintainer
    )
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual([{ data: { group: { fullPath: "acme" } } }, { data: { currentUser: { username: "mia" } } }, { data: { group: null } }])
  })

  it("runs a batch's operations in order, a mutation's effect visible to the next one", async () => {
    const response = await batch(
      [
        { query: SETTINGS_MUTATION, variables: { input: { groupPath: "acme", enabled: false } } },
        { query: `{ group(fullPath: "acme") { dependencyProxySetting { enabled } } }` },
        { query: SETTINGS_MUTATION, variables: { input: { groupPath: "acme", enabled: true } } }
      ],
      w.tokens.owner
    )
    expect(response.json()).toEqual([
      { data: { updateDependencyProxySettings: { dependencyProxySetting: { enabled: false, identity: null }, errors: [] } } },
      { data: { group: { dependencyProxySetting: { enabled: false } } } },
      { data: { updateDependencyProxySettings: { dependencyProxySetting: { enabled: true, identity: null }, errors: [] } } }
    ])
  })

  it("answers a broken element of a batch with its own errors and still runs the others", async () => {
    const response = await batch([{ query: "{ group(fullPath: " }, { query: "{ currentUser { username } }" }, { variables: {} }], w.tokens.guest)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual([
      { errors: [{ message: "Syntax Error: Unexpected <EOF>.", locations: [{ line: 1, column: 19 }] }] },
      { data: { currentUser: { username: "gus" } } },
      { errors: [{ message: expect.stringContaining("`query`") }] }
    ])
  })

  it("refuses an empty batch with 400 and one larger than the limit with 422", async () => {
    expect((await batch([], w.tokens.guest)).statusCode).toBe(400)
    const tooMany = await batch(Array.from({ length: MAX_BATCH_SIZE + 1 }, () => ({ query: "{ currentUser { username } }" })), w.tokens.guest)
    expect(tooMany.statusCode).toBe(422)
    expect(tooMany.json()).toEqual({ errors: [{ message: `Too many operations in one batch (at most ${MAX_BATCH_SIZE})` }] })
  })

  it("refuses a whole batch with 401 when the token is not valid", async () => {
    const response = await batch([{ query: "{ currentUser { username } }" }], "glpat-not-a-real-token")
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual({ errors: [{ message: "Invalid token" }] })
  })

  it("never quotes a batch element's secret back", async () => {
    const secret = "hub-secret-in-a-batch"
    const response = await batch(
      [{ query: SETTINGS_MUTATION, variables: { input: { groupPath: "acme", identity: "bot", secret, colour: "blue" } } }],
      w.tokens.owner
    )
    expect(response.json()).toEqual([{ errors: [expect.objectContaining({ message: expect.stringContaining("[FILTERED]") })] }])
    expect(response.body).not.toContain(secret)
  })
  /** `count` aliases of `field`, as one selection. */
  const aliases = (count: number, field: string) => Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(" ")

  it("refuses a query that asks too much, aliases of a fragment spread under aliases, before running any of it", async () => {
    // 5 kB of text, 10,100 fields: each updatedAt replayed the group's stream, and this took the server's memory.
    const query = `query { group(fullPath: "acme") { ${aliases(100, "dependencyProxyImageTtlPolicy { ...P }")} } }
      fragment P on DependencyProxyImageTtlGroupPolicy { ${aliases(100, "updatedAt")} }`
    const response = await gql(w.app, { query, token: w.tokens.guest })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ errors: [{ message: `Query has complexity of 10101, which exceeds max complexity of ${MAX_COMPLEXITY}` }] })
  })

  it("refuses a query nested deeper than GitLab's limit", async () => {
    const nested = Array.from({ length: MAX_DEPTH }, () => "ofType {").join(" ")
    const query = `{ __type(name: "Group") { ${nested} name ${"}".repeat(MAX_DEPTH)} } }`
    const response = await gql(w.app, { query, token: w.tokens.ownerReadOnly })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({ errors: [{ message: `Query has depth of ${MAX_DEPTH + 2}, which exceeds max depth of ${MAX_DEPTH}` }] })
  })

  it("answers graphql-js's own introspection query, which a schema explorer sends, within the limits", async () => {
    const response = await gql(w.app, { query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }), token: w.tokens.ownerReadOnly })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ data: { __schema: { queryType: { name: "Query" } } } })
  })

  it("measures only the operation that runs: an editor sends every query it holds, with the name of one", async () => {
    const operation = (name: string) => `query ${name} { group(fullPath: "acme") { dependencyProxyImageTtlPolicy { ${aliases(130, "ttl")} } } }`
    const response = await w.app.inject({
      method: "POST",
      url: "/api/graphql",
      headers: { authorization: `Bearer ${w.tokens.ownerReadOnly}` },
      payload: { query: `${operation("First")}\n${operation("Second")}`, operationName: "Second" }
    })
    expect(response.statusCode).toBe(200)
    expect(Object.keys(response.json().data.group.dependencyProxyImageTtlPolicy)).toHaveLength(130)
  })

  it("answers as many fields as the limit allows", async () => {
    const query = `query { group(fullPath: "acme") { dependencyProxyImageTtlPolicy { ${aliases(MAX_COMPLEXITY - 2, "updatedAt")} } } }`
    const response = await gql(w.app, { query, token: w.tokens.ownerReadOnly })
    expect(response.statusCode).toBe(200)
    const policy = response.json().data.group.dependencyProxyImageTtlPolicy
    expect(Object.keys(policy)).toHaveLength(MAX_COMPLEXITY - 2)
    expect(new Set(Object.values(policy)).size).toBe(1)
  })
})
