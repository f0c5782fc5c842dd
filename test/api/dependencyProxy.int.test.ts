import { asUser } from "../support/testApp.js"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { recordBlob, recordManifest } from "../../src/application/cache/cacheEvents.js"
import { changeGroup, updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { type ApiWorld, apiWorld, call, expectError, expectList, expectObject, FORBIDDEN, notFound } from "../support/worlds/apiWorld.js"

const SECRET = "hub-secret-never-shown"
const digest = (c: string) => `sha256:${c.repeat(64)}`

describe("a group's dependency proxy over the REST API", () => {
  let w: ApiWorld
  const proxy = (group: number) => `/api/v4/groups/${group}/dependency_proxy`

  beforeAll(async () => {
    w = await apiWorld()
    await w.h.run(updateDependencyProxySettings(w.groups.sub, { identity: "hub-bot", secret: SECRET }).pipe(asUser(w.owner.id)))
    await w.h.run(changeGroup(w.groups.sub, { _tag: "UpdateImageTtlPolicy", enabled: true, ttlDays: 30 }).pipe(asUser(w.root.id)))
    await w.h.run(recordManifest({ groupId: w.groups.sub, image: "alpine", tag: "3.19", digest: digest("a"), mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1000 }))
    await w.h.run(recordManifest({ groupId: w.groups.sub, image: "alpine", tag: null, digest: digest("a"), mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1000 }))
    await w.h.run(recordManifest({ groupId: w.groups.sub, image: "busybox", tag: null, digest: digest("b"), mediaType: "application/vnd.oci.image.manifest.v1+json", size: 500 }))
    await w.h.run(recordBlob({ groupId: w.groups.sub, digest: digest("c"), size: 2_000_000, image: "alpine", source: "upstream" }))
    // Another group's cache, which a purge of `sub` must leave alone.
    await w.h.run(recordBlob({ groupId: w.groups.other, digest: digest("d"), size: 10, image: "alpine", source: "upstream" }))
  })
  afterAll(() => w.h.close())

  describe("the summary", () => {
    it("shows prefix, sizes, counts and TTL policy to a Guest, without the identity", async () => {
      const summary = expectObject(await call(w.app, "GET", proxy(w.groups.sub), { token: w.guestReadOnly }), 200)
      expect(summary).toEqual({
        enabled: true,
        instance_enabled: true,
        status: "Enabled",
        image_prefix: "registry.test:5000/top/sub/dependency_proxy/containers",
        total_size: "1.91 MiB",
        total_size_bytes: 2_001_500,
        image_count: 2,
        blob_count: 1,
        ttl_policy: { enabled: true, ttl: 30 }
      })
    })

    it("adds the Docker Hub identity for an Owner, never the secret", async () => {
      const response = await call(w.app, "GET", proxy(w.groups.sub), { token: w.owner.token })
      expect(expectObject(response, 200)).toMatchObject({ identity: "hub-bot" })
      expect(response.body).not.toContain(SECRET)
    })

    it("is not found for outsiders or unknown groups", async () => {
      expectError(await call(w.app, "GET", proxy(w.groups.sub), { token: w.outsider.token }), 404, notFound("Group"))
      expectError(await call(w.app, "GET", proxy(99999), { token: w.root.token }), 404, notFound("Group"))
    })
  })

  describe("cached manifests and blobs", () => {
    it("lists tagged images and manifests pulled only by digest", async () => {
      const manifests = expectList(await call(w.app, "GET", `${proxy(w.groups.sub)}/manifests`, { token: w.guest.token }))
      expect(manifests.map((m) => [m.image, m.tag, m.digest])).toEqual(expect.arrayContaining([["alpine", "3.19", digest("a")], ["busybox", null, digest("b")]]))
      expect(manifests).toHaveLength(2)
      expect(Object.keys(manifests[0] ?? {}).sort()).toEqual(["created_at", "digest", "image", "last_read_at", "media_type", "size", "tag"])
    })

    it("lists blobs", async () => {
      const blobs = expectList(await call(w.app, "GET", `${proxy(w.groups.sub)}/blobs`, { token: w.guest.token }))
      expect(blobs).toEqual([{ digest: digest("c"), size: 2_000_000, created_at: expect.any(String), last_read_at: expect.any(String) }])
      expectError(await call(w.app, "GET", `${proxy(w.groups.sub)}/blobs`, { token: w.outsider.token }), 404, notFound("Group"))
    })
  })

  describe("settings history", () => {
    const history = (token: string) => call(w.app, "GET", `${proxy(w.groups.sub)}/settings/history`, { token })

    it("shows an Owner who changed what, the secret only as changed", async () => {
      const response = await history(w.owner.token)
      expect(expectList(response).map(({ setting, from, to, actor }) => ({ setting, from, to, actor }))).toEqual([
        { setting: "identity", from: null, to: "hub-bot", actor: `user:${w.owner.id}` },
        { setting: "secret", from: null, to: "changed", actor: `user:${w.owner.id}` },
        { setting: "ttl_policy.enabled", from: "false", to: "true", actor: `user:${w.root.id}` },
        { setting: "ttl_policy.ttl", from: "90", to: "30", actor: `user:${w.root.id}` }
      ])
      expect(response.body).not.toContain(SECRET)
    })

    it("is for Owners, as GraphQL and the UI: a Guest or a Maintainer gets 403", async () => {
      for (const token of [w.guestReadOnly, w.guest.token, w.maintainer.token]) {
        const response = await history(token)
        expectError(response, 403, FORBIDDEN)
        expect(response.body).not.toContain("hub-bot")
      }
    })

    it("is not found for outsiders", async () => {
      expectError(await history(w.outsider.token), 404, notFound("Group"))
    })
  })

  describe("purging the cache", () => {
    it("is for Owners: Maintainers and Guests get 403, outsiders 404, read_api tokens 403", async () => {
      const purge = (token: string) => call(w.app, "DELETE", `${proxy(w.groups.sub)}/cache`, { token })
      expectError(await purge(w.maintainer.token), 403, FORBIDDEN)
      expectError(await purge(w.guest.token), 403, FORBIDDEN)
      expectError(await purge(w.outsider.token), 404, notFound("Group"))
      expectError(await purge(w.guestReadOnly), 403, FORBIDDEN)
    })

    it("answers 202 and then empties this group's cache only", async () => {
      const response = await call(w.app, "DELETE", `${proxy(w.groups.sub)}/cache`, { token: w.owner.token })
      expect(response.statusCode).toBe(202)
      expect(response.json()).toEqual({ message: "202 Accepted" })
      await vi.waitFor(async () => {
        expect(expectObject(await call(w.app, "GET", proxy(w.groups.sub), { token: w.owner.token }), 200)).toMatchObject({
          image_count: 0, blob_count: 0, total_size_bytes: 0
        })
      }, { timeout: 5000, interval: 20 })
      expect(expectObject(await call(w.app, "GET", proxy(w.groups.other), { token: w.root.token }), 200)).toMatchObject({ blob_count: 1 })
    })
  })
})

describe("the image prefix over the REST API", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld({ externalUrl: "https://registry.example.com" })
  })
  afterAll(() => w.h.close())

  it("leaves out the scheme's default port, as `docker login registry.example.com` stores the host", async () => {
    const summary = expectObject(await call(w.app, "GET", `/api/v4/groups/${w.groups.sub}/dependency_proxy`, { token: w.guestReadOnly }), 200)
    expect(summary["image_prefix"]).toBe("registry.example.com/top/sub/dependency_proxy/containers")
  })
})
