import {
  buildClientSchema,
  type DocumentNode,
  getIntrospectionQuery,
  type IntrospectionQuery,
  parse,
  print,
  validate
} from "graphql"
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { recordBlob, recordManifest } from "../../src/application/cache/cacheEvents.js"
import { numberToHumanSize } from "../../src/application/cache/numberToHumanSize.js"
import { type GraphqlWorld, graphqlWorld } from "../support/worlds/graphqlWorld.js"

/**
 * What GitLab's own Dependency Proxy page (the group's Packages and registries > Dependency Proxy) asks for:
 * `getDependencyProxyDetails` with GitLab's `PageInfo` fragment, 20 manifests a page.
 */
const DEPENDENCY_PROXY_DETAILS = parse(`
  fragment PageInfo on PageInfo {
    hasNextPage
    hasPreviousPage
    startCursor
    endCursor
    __typename
  }

  query getDependencyProxyDetails($fullPath: ID!, $first: Int, $last: Int, $after: String, $before: String) {
    group(fullPath: $fullPath) {
      id
      dependencyProxyBlobCount
      dependencyProxyImageCount
      dependencyProxyTotalSize
      dependencyProxyImagePrefix
      dependencyProxySetting {
        enabled
        __typename
      }
      dependencyProxyManifests(first: $first, last: $last, after: $after, before: $before) {
        nodes {
          id
          fileName
          imageName
          createdAt
          digest
          status
          __typename
        }
        pageInfo {
          ...PageInfo
        }
        __typename
      }
      __typename
    }
  }
`)

const PAGE_SIZE = 20
const MANIFESTS = 45
const digestOf = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`

const Manifest = Schema.Struct({
  id: Schema.String,
  fileName: Schema.String,
  imageName: Schema.String,
  createdAt: Schema.String,
  digest: Schema.String,
  status: Schema.String,
  __typename: Schema.String
})
type Manifest = typeof Manifest.Type

/** The answer's shape, as the page reads it; decoding checks it (extra fields would be dropped, none are sent). */
const Details = Schema.Struct({
  data: Schema.Struct({
    group: Schema.Struct({
      id: Schema.String,
      dependencyProxyBlobCount: Schema.Number,
      dependencyProxyImageCount: Schema.Number,
      dependencyProxyTotalSize: Schema.String,
      dependencyProxyImagePrefix: Schema.String,
      dependencyProxySetting: Schema.Struct({ enabled: Schema.Boolean, __typename: Schema.String }),
      dependencyProxyManifests: Schema.Struct({
        nodes: Schema.Array(Manifest),
        pageInfo: Schema.Struct({
          hasNextPage: Schema.Boolean,
          hasPreviousPage: Schema.Boolean,
          startCursor: Schema.NullOr(Schema.String),
          endCursor: Schema.NullOr(Schema.String),
          __typename: Schema.String
        }),
        __typename: Schema.String
      }),
      __typename: Schema.String
    })
  })
})
type Details = typeof Details.Type["data"]

const isIntrospection = (body: unknown): body is { readonly data: IntrospectionQuery } =>
  typeof body === "object" && body !== null && "data" in body && typeof body.data === "object" && body.data !== null &&
  "__schema" in body.data && typeof body.data.__schema === "object"

/** A GraphQL client the way a front end is one: over HTTP, checking its documents against the served schema. */
const client = (url: string, token: string) => {
  const post = async (document: DocumentNode, variables: Readonly<Record<string, unknown>>): Promise<unknown> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: print(document), variables })
    })
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toMatch(/^application\/json/)
    return response.json()
  }
  return { post }
}

describe("the query GitLab's Dependency Proxy page sends, from a graphql-js client", () => {
  let w: GraphqlWorld
  let url: string
  let details: (variables: Readonly<Record<string, unknown>>) => Promise<Details>
  let totalBytes = 0

  beforeAll(async () => {
    w = await graphqlWorld()
    for (let n = 1; n <= MANIFESTS; n++) {
      // Every third pulled by digest only, the rest by tag.
      const tag = n % 3 === 0 ? null : `v${n}`
      await w.h.run(recordManifest({ groupId: w.groupId, image: `team/app-${n % 4}`, tag, digest: digestOf(n), mediaType: "application/json", size: 1000 + n }))
      totalBytes += 1000 + n
    }
    await w.h.run(recordBlob({ groupId: w.groupId, digest: digestOf(1000), size: 75_000_000, image: "team/app-1", source: "upstream" }))
    totalBytes += 75_000_000
    const address = await w.app.listen({ port: 0, host: "127.0.0.1" })
    url = `${address}/api/graphql`
    const owner = client(url, w.tokens.owner)
    details = async (variables) => {
      const body = await owner.post(DEPENDENCY_PROXY_DETAILS, { fullPath: "acme", ...variables })
      expect(body).not.toHaveProperty("errors")
      return Schema.decodeUnknownSync(Details)(body).data
    }
  })
  afterAll(() => w.h.close())

  it("is valid against the schema the server publishes through introspection", async () => {
    const introspection = await client(url, w.tokens.guest).post(parse(getIntrospectionQuery()), {})
    expect(introspection).toHaveProperty("data.__schema.queryType.name", "Query")
    if (!isIntrospection(introspection)) throw new Error("not an introspection result")
    expect(validate(buildClientSchema(introspection.data), DEPENDENCY_PROXY_DETAILS)).toEqual([])
  })

  it("answers the first page: settings, prefix, counts, GitLab's total size and 20 manifests", async () => {
    const first = await details({ first: PAGE_SIZE })
    expect(first.group).toMatchObject({
      id: `gid://gitlab/Group/${w.groupId}`,
      dependencyProxyBlobCount: 1,
      dependencyProxyImageCount: MANIFESTS,
      dependencyProxyTotalSize: numberToHumanSize(totalBytes),
      dependencyProxyImagePrefix: "registry.test:5000/acme/dependency_proxy/containers",
      dependencyProxySetting: { enabled: true, __typename: "DependencyProxySetting" },
      __typename: "Group"
    })
    // 75,046,035 bytes, as Rails writes it.
    expect(first.group.dependencyProxyTotalSize).toBe("71.6 MB")
    const { nodes, pageInfo } = first.group.dependencyProxyManifests
    expect(nodes).toHaveLength(PAGE_SIZE)
    // Newest first: the 45th manifest recorded leads. 45 was pulled by digest, 44 by tag v44.
    expect(nodes[0]).toEqual({
      id: expect.stringMatching(/^gid:\/\/gitlab\/DependencyProxy::Manifest\/\d+$/),
      fileName: `team/app-1:${digestOf(45)}.json`,
      imageName: `team/app-1:${digestOf(45)}`,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      digest: digestOf(45),
      status: "DEFAULT",
      __typename: "DependencyProxyManifest"
    })
    expect(nodes[1]).toMatchObject({ fileName: "team/app-0:v44.json", imageName: "team/app-0:v44", digest: digestOf(44) })
    expect(pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, __typename: "PageInfo" })
  })

  it("pages forwards with after and back again with before, every manifest once, in order", async () => {
    const forwards: Array<ReadonlyArray<Manifest>> = []
    let page = (await details({ first: PAGE_SIZE })).group.dependencyProxyManifests
    forwards.push(page.nodes)
    while (page.pageInfo.hasNextPage) {
      page = (await details({ first: PAGE_SIZE, after: page.pageInfo.endCursor })).group.dependencyProxyManifests
      forwards.push(page.nodes)
    }
    expect(forwards.map((p) => p.length)).toEqual([20, 20, 5])
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true })
    const all = forwards.flat()
    expect(all.map((m) => m.digest)).toEqual(Array.from({ length: MANIFESTS }, (_, i) => digestOf(MANIFESTS - i)))
    expect(new Set(all.map((m) => m.id)).size).toBe(MANIFESTS)

    // As GitLab's page does for "Previous": the last 20 before the current page's start.
    const backwards: Array<ReadonlyArray<Manifest>> = []
    while (page.pageInfo.hasPreviousPage) {
      page = (await details({ last: PAGE_SIZE, before: page.pageInfo.startCursor })).group.dependencyProxyManifests
      backwards.unshift(page.nodes)
    }
    expect(backwards).toEqual(forwards.slice(0, 2))
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false })
  })

  it("keeps a page's place when a manifest is pulled meanwhile", async () => {
    const first = (await details({ first: PAGE_SIZE })).group.dependencyProxyManifests
    const second = (await details({ first: PAGE_SIZE, after: first.pageInfo.endCursor })).group.dependencyProxyManifests
    await w.h.run(recordManifest({ groupId: w.groupId, image: "team/new", tag: "latest", digest: digestOf(999), mediaType: "application/json", size: 1 }))
    const again = (await details({ first: PAGE_SIZE, after: first.pageInfo.endCursor })).group.dependencyProxyManifests
    expect(again.nodes).toEqual(second.nodes)
  })
})
