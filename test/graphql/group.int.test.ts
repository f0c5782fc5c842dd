import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { recordBlob, recordManifest } from "../../src/application/cache/cacheEvents.js"
import { updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { createPersonalAccessToken } from "../../src/application/useCases/accessTokens.js"
import { gql, type GraphqlWorld, graphqlWorld } from "../support/worlds/graphqlWorld.js"

const SECRET = "hub-secret-for-group-suite"
const digest = (c: string) => `sha256:${c.repeat(64)}`
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
const GLOBAL_ID = /^gid:\/\/gitlab\/DependencyProxy::Manifest\/\d+$/

const GROUP_QUERY = `
  query($path: ID!) {
    group(fullPath: $path) {
      id fullPath
      dependencyProxySetting { enabled identity }
      dependencyProxyImagePrefix
      dependencyProxyTotalSize dependencyProxyTotalSizeBytes dependencyProxyTotalSizeInBytes
      dependencyProxyImageCount dependencyProxyBlobCount
      dependencyProxyManifests {
        count
        nodes { id fileName imageName tag digest size status createdAt updatedAt }
        pageInfo { hasNextPage hasPreviousPage }
      }
      dependencyProxyBlobs { count nodes { fileName size createdAt updatedAt } }
      dependencyProxyImageTtlPolicy { enabled ttl }
      dependencyProxySettingsHistory { nodes { at actor setting from to } }
    }
  }`

describe("group(fullPath) over GraphQL", () => {
  let w: GraphqlWorld
  const read = (token?: string) => gql(w.app, { query: GROUP_QUERY, variables: { path: "acme" }, ...(token === undefined ? {} : { token }) })

  beforeAll(async () => {
    w = await graphqlWorld()
    await w.h.run(updateDependencyProxySettings(w.groupId, { identity: "acme-bot", secret: SECRET }))
    // One image pulled by tag, one by digest only, one layer: 1000 + 500 + 2,000,000 bytes.
    await w.h.run(recordManifest({ groupId: w.groupId, image: "alpine", tag: "3.19", digest: digest("a"), mediaType: "application/json", size: 1000 }))
    await w.h.run(recordManifest({ groupId: w.groupId, image: "busybox", tag: null, digest: digest("b"), mediaType: "application/json", size: 500 }))
    await w.h.run(recordBlob({ groupId: w.groupId, digest: digest("c"), size: 2_000_000, image: "alpine", source: "upstream" }))
  })
  afterAll(() => w.h.close())

  it("shows the Owner everything, identity and history included, sizes GitLab-style, and never the secret", async () => {
    const response = await read(w.tokens.owner)
    expect(response.statusCode).toBe(200)
    expect(response.body).not.toContain(SECRET)
    const body: unknown = response.json()
    expect(body).toMatchObject({
      data: {
        group: {
          id: `gid://gitlab/Group/${w.groupId}`,
          fullPath: "acme",
          dependencyProxySetting: { enabled: true, identity: "acme-bot" },
          dependencyProxyImagePrefix: "registry.test:5000/acme/dependency_proxy/containers",
          // Rails' number_to_human_size, as GitLab shows it.
          dependencyProxyTotalSize: "1.91 MB",
          // GitLab's BigInt scalar travels as a string; the deprecated Int field as a number.
          dependencyProxyTotalSizeBytes: "2001500",
          dependencyProxyTotalSizeInBytes: 2001500,
          dependencyProxyImageCount: 2,
          dependencyProxyBlobCount: 1,
          // Newest first, as GitLab orders by id descending.
          dependencyProxyManifests: {
            count: 2,
            // GitLab names a manifest `<image>:<tag>`, the digest standing in when there is no tag.
            nodes: [
              {
                id: expect.stringMatching(GLOBAL_ID),
                fileName: `busybox:${digest("b")}.json`,
                imageName: `busybox:${digest("b")}`,
                tag: null,
                digest: digest("b"),
                size: "500",
                status: "DEFAULT",
                createdAt: expect.stringMatching(ISO_TIME),
                updatedAt: expect.stringMatching(ISO_TIME)
              },
              {
                id: expect.stringMatching(GLOBAL_ID),
                fileName: "alpine:3.19.json",
                imageName: "alpine:3.19",
                tag: "3.19",
                digest: digest("a"),
                size: "1000",
                status: "DEFAULT",
                createdAt: expect.stringMatching(ISO_TIME),
                updatedAt: expect.stringMatching(ISO_TIME)
              }
            ],
            pageInfo: { hasNextPage: false, hasPreviousPage: false }
          },
          dependencyProxyBlobs: {
            count: 1,
            nodes: [{ fileName: `${"c".repeat(64)}.gz`, size: "2000000", createdAt: expect.stringMatching(ISO_TIME), updatedAt: expect.stringMatching(ISO_TIME) }]
          },
          dependencyProxyImageTtlPolicy: { enabled: false, ttl: 90 },
          // Set up through the harness, which records its commands as `user:1`.
          dependencyProxySettingsHistory: {
            nodes: [
              { at: expect.stringMatching(ISO_TIME), actor: "system:test", setting: "identity", from: null, to: "acme-bot" },
              { at: expect.stringMatching(ISO_TIME), actor: "system:test", setting: "secret", from: null, to: "changed" }
            ]
          }
        }
      }
    })
  })

  it("gives each listed manifest its own global ID, newer ones higher, as GitLab's ids grow", async () => {
    const response = await gql(w.app, { query: `{ group(fullPath: "acme") { dependencyProxyManifests { nodes { id } } } }`, token: w.tokens.owner })
    const ids = [...response.body.matchAll(/"gid:\/\/gitlab\/DependencyProxy::Manifest\/(\d+)"/g)].map((m) => Number(m[1]))
    expect(ids).toHaveLength(2)
    expect(ids[0]).toBeGreaterThan(ids[1] ?? Infinity)
  })

  it("answers currentUser with the token's owner, and null without a token", async () => {
    const query = `{ currentUser { id username name state bot webUrl webPath avatarUrl } }`
    expect((await gql(w.app, { query, token: w.tokens.guest })).json()).toEqual({
      data: {
        currentUser: {
          id: `gid://gitlab/User/${w.users.guest}`,
          username: "gus",
          name: "gus",
          state: "active",
          bot: false,
          webUrl: "http://registry.test:5000/gus",
          webPath: "/gus",
          avatarUrl: null
        }
      }
    })
    expect((await gql(w.app, { query })).json()).toEqual({ data: { currentUser: null } })
  })

  it("shows a Guest the group and its cache, but neither the Docker Hub identity nor the history", async () => {
    const response = await read(w.tokens.guest)
    const body: unknown = response.json()
    expect(body).not.toHaveProperty("errors")
    expect(body).toMatchObject({
      data: {
        group: {
          fullPath: "acme",
          dependencyProxySetting: { enabled: true, identity: null },
          dependencyProxyTotalSizeBytes: "2001500",
          dependencyProxyImageCount: 2,
          dependencyProxyImageTtlPolicy: { enabled: false, ttl: 90 },
          dependencyProxySettingsHistory: null
        }
      }
    })
    expect(response.body).not.toContain("acme-bot")
  })

  it.each([["an outsider", "outsider"], ["a caller without a token", null]] as const)("answers %s with a null group and no error", async (_who, key) => {
    const response = await read(key === null ? undefined : w.tokens[key])
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ data: { group: null } })
  })

  it("answers a group that does not exist exactly like a hidden one", async () => {
    const response = await gql(w.app, { query: GROUP_QUERY, variables: { path: "nope" }, token: w.tokens.owner })
    expect(response.json()).toEqual({ data: { group: null } })
  })

  it("accepts the token as PRIVATE-TOKEN too", async () => {
    const response = await gql(w.app, {
      query: `{ group(fullPath: "ACME") { fullPath } }`,
      headers: { "private-token": w.tokens.guest }
    })
    expect(response.json()).toEqual({ data: { group: { fullPath: "acme" } } })
  })

  it("refuses an unknown token with 401 Invalid token, as GitLab does, instead of treating it as anonymous", async () => {
    const response = await read("glpat-not-a-real-token")
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual({ errors: [{ message: "Invalid token" }] })
  })

  it("refuses a token without the api or read_api scope the same way", async () => {
    const registryOnly = await w.h.run(createPersonalAccessToken({ userId: w.users.owner, name: "pull", scopes: ["read_registry"], expiresAt: null }))
    const response = await read(registryOnly.token)
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual({ errors: [{ message: "Invalid token" }] })
  })
})

describe("the image prefix", () => {
  let w: GraphqlWorld
  beforeAll(async () => {
    w = await graphqlWorld({ externalUrl: "https://gitlab.example.com" })
  })
  afterAll(() => w.h.close())

  it("leaves out the scheme's default port, as `docker login gitlab.example.com` stores the host", async () => {
    const response = await gql(w.app, { query: `{ group(fullPath: "acme") { dependencyProxyImagePrefix } }`, token: w.tokens.guest })
    expect(response.json()).toEqual({ data: { group: { dependencyProxyImagePrefix: "gitlab.example.com/acme/dependency_proxy/containers" } } })
  })
})
