import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { verify } from "../../src/application/audit/verify.js"
import { recordBlob, recordManifest } from "../../src/application/cache/cacheEvents.js"
import { LiveView } from "../../src/application/LiveView.js"
import { EventStore } from "../../src/application/ports/EventStore.js"
import { pullManifest } from "../support/registryApp.js"
import { waitUntil } from "../support/waitUntil.js"
import { type ApiWorld, apiWorld, call, expectError, expectList, expectObject, notFound, num, text } from "../support/worlds/apiWorld.js"

const DIGEST = `sha256:${"a".repeat(64)}`

/** `PUT /groups/:id` with GitLab's common fields, and `DELETE /groups/:id` with all a group takes with it. */
describe("a group's details and its deletion over the REST API", () => {
  let w: ApiWorld
  beforeAll(async () => {
    w = await apiWorld()
  })
  afterAll(() => w.h.close())

  const get = (url: string, token = w.owner.token) => call(w.app, "GET", `/api/v4${url}`, { token })
  const put = (id: number | string, json: unknown, token = w.owner.token) => call(w.app, "PUT", `/api/v4/groups/${id}`, { token, json })
  const del = (id: number | string, token = w.owner.token) => call(w.app, "DELETE", `/api/v4/groups/${id}`, { token })
  const streamTypes = async (streamId: string) =>
    (await w.h.run(EventStore.pipe(Effect.flatMap((store) => store.readStream(streamId))))).map((e) => e.type)

  it("stores a description, accepts only private visibility, and answers bad values naming the field", async () => {
    const changed = expectObject(await put(w.groups.top, { description: "Mirrors for CI", visibility: "private" }), 200)
    expect(changed).toMatchObject({ id: w.groups.top, description: "Mirrors for CI", visibility: "private", path: "top" })
    expect(expectObject(await get(`/groups/${w.groups.top}`, w.guest.token), 200)).toMatchObject({ description: "Mirrors for CI" })
    expectError(await put(w.groups.top, { visibility: "public" }), 400, {
      message: { visibility: ["must be private: only members of a group see it and pull through it"] }
    })
    expectError(await put(w.groups.top, { description: "d".repeat(501) }), 400, { message: { description: ["is too long (maximum is 500 characters)"] } })
    expectError(await put(w.groups.top, { description: ["x"] }), 400, { error: "description is invalid" })
    expectError(await put(w.groups.top, { path: "a b" }), 400, { message: { path: [expect.stringContaining("can contain only")] } })
    expectError(await put(w.groups.top, { path: "api" }), 400, { message: { path: ["api is a reserved name"] } })
    expectError(await put(w.groups.top, { path: "OTHER" }), 400, { message: { path: ["has already been taken"] } })
    // One bad value changes nothing else.
    expectError(await put(w.groups.top, { name: "Changed", path: "api" }), 400, { message: { path: ["api is a reserved name"] } })
    expect(expectObject(await get(`/groups/${w.groups.top}`), 200)).toMatchObject({ name: "Top" })
    expectError(await put(w.groups.top, { description: "x" }, w.maintainer.token), 403, { message: "403 Forbidden - the Owner role is required" })
    const created = expectObject(await call(w.app, "POST", "/api/v4/groups", {
      token: w.owner.token, json: { name: "Described", path: "described", description: "From the start", visibility: "private" }
    }), 201)
    expect(created).toMatchObject({ description: "From the start", visibility: "private" })
    expectError(await call(w.app, "POST", "/api/v4/groups", { token: w.owner.token, json: { name: "Pub", path: "pub", visibility: "internal" } }), 400, {
      message: { visibility: ["must be private: only members of a group see it and pull through it"] }
    })
  })

  it("moves a path with its subgroups: pulls follow the new prefix, the old one is free again", async () => {
    expect((await pullManifest(w.app, "guest", "guest-password", "top/sub/deep", "alpine", "3.19")).statusCode).toBe(200)
    const moved = expectObject(await put(w.groups.top, { path: "summit" }), 200)
    expect(moved).toMatchObject({ path: "summit", full_path: "summit", web_url: "http://registry.test:5000/groups/summit" })
    expect(expectObject(await get(`/groups/${w.groups.deep}`), 200)).toMatchObject({ full_path: "summit/sub/deep" })
    expect(expectObject(await get(`/groups/${encodeURIComponent("summit/sub")}`), 200)).toMatchObject({ id: w.groups.sub })
    expectError(await get(`/groups/${encodeURIComponent("top/sub")}`), 404, notFound("Group"))
    expect((await pullManifest(w.app, "guest", "guest-password", "summit/sub/deep", "alpine", "3.19")).statusCode).toBe(200)
    const old = await pullManifest(w.app, "guest", "guest-password", "top/sub/deep", "alpine", "3.19")
    expect(old.statusCode).toBe(404)
    expect(old.json()).toMatchObject({ errors: [{ code: "NAME_UNKNOWN" }] })
    expect(await streamTypes(`group-${w.groups.deep}`)).toContain("GroupPathChanged")
    expect(await streamTypes("group_path-top/sub/deep")).toEqual(["NameClaimed", "NameReleased"])
    expect(await streamTypes("group_path-summit/sub/deep")).toEqual(["NameClaimed"])
    // The old path may be taken by a new group; a case-only change keeps the claim.
    const reuse = expectObject(await call(w.app, "POST", "/api/v4/groups", { token: w.owner.token, json: { name: "Top again", path: "top" } }), 201)
    expect(expectObject(await put(num(reuse, "id"), { path: "Top" }), 200)).toMatchObject({ path: "Top", full_path: "Top" })
    expect(await streamTypes("group_path-top")).toEqual(["NameClaimed", "NameReleased", "NameClaimed"])
    expect((await w.h.run(verify)).ok).toBe(true)
  })

  it("deletes a group with its subgroups, members, tokens, path claims and cached content; 202 as GitLab", async () => {
    const deployToken = expectObject(await call(w.app, "POST", `/api/v4/groups/${w.groups.deep}/deploy_tokens`, {
      token: w.owner.token, json: { name: "ci", scopes: ["read_registry"] }
    }), 201)
    const accessToken = expectObject(await call(w.app, "POST", `/api/v4/groups/${w.groups.sub}/access_tokens`, {
      token: w.owner.token, json: { name: "bot", scopes: ["read_registry"], access_level: 20 }
    }), 201)
    const botId = num(accessToken, "user_id")
    expect((await pullManifest(w.app, text(deployToken, "username"), text(deployToken, "token"), "summit/sub/deep", "alpine", "3.19")).statusCode).toBe(200)
    expect((await pullManifest(w.app, "any", text(accessToken, "token"), "summit/sub", "alpine", "3.19")).statusCode).toBe(200)
    await w.h.run(recordManifest({ groupId: w.groups.deep, image: "alpine", tag: "3.19", digest: DIGEST, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 10 }))
    await w.h.run(recordBlob({ groupId: w.groups.sub, digest: DIGEST, size: 10, image: "alpine", source: "upstream" }))

    expectError(await del(w.groups.sub, w.maintainer.token), 403, { message: "403 Forbidden - the Owner role is required" })
    expectError(await del(w.groups.sub, w.outsider.token), 404, notFound("Group"))
    const answer = expectObject(await del(w.groups.sub), 202)
    expect(answer).toEqual({ message: "202 Accepted" })

    // Gone from every view, the parent stays.
    expectError(await get(`/groups/${w.groups.sub}`), 404, notFound("Group"))
    expectError(await get(`/groups/${w.groups.deep}`, w.root.token), 404, notFound("Group"))
    expect(expectList(await get(`/groups/${w.groups.top}/descendant_groups`))).toEqual([])
    expect(expectList(await get("/groups?per_page=100", w.root.token)).map((g) => g["id"])).not.toContain(w.groups.sub)
    expect(expectObject(await get(`/groups/${w.groups.top}`), 200)).toMatchObject({ full_path: "summit" })
    const graphql = await w.app.inject({
      method: "POST",
      url: "/api/graphql",
      headers: { authorization: `Bearer ${w.root.token}` },
      payload: { query: "{ deleted: group(fullPath: \"summit/sub\") { id } kept: group(fullPath: \"summit\") { fullPath } }" }
    })
    expect(graphql.json()).toEqual({ data: { deleted: null, kept: { fullPath: "summit" } } })
    const memberOf = expectList(await get(`/users/${w.owner.id}/memberships`, w.root.token)).map((m) => m["source_id"])
    expect(memberOf).toContain(w.groups.top)
    expect(memberOf).not.toContain(w.groups.sub)
    expect(memberOf).not.toContain(w.groups.deep)
    // Its tokens are revoked and its bot deleted; pulls through its prefix are the registry's not-found.
    const viaDeployToken = await pullManifest(w.app, text(deployToken, "username"), text(deployToken, "token"), "summit/sub/deep", "alpine", "3.19")
    expect(viaDeployToken.statusCode).toBe(403)
    expect((await pullManifest(w.app, "any", text(accessToken, "token"), "summit/sub", "alpine", "3.19")).statusCode).toBe(403)
    const byMember = await pullManifest(w.app, "owner", "owner-password", "summit/sub/deep", "alpine", "3.19")
    expect(byMember.statusCode).toBe(404)
    expect(byMember.json()).toMatchObject({ errors: [{ code: "NAME_UNKNOWN" }] })
    expectError(await get(`/users/${botId}`, w.root.token), 404, notFound("User"))
    expect(await streamTypes(`group-${w.groups.deep}`)).toEqual(expect.arrayContaining(["MemberRemoved", "GroupDeleted"]))
    expect((await streamTypes(`group-${w.groups.sub}`)).at(-1)).toBe("GroupDeleted")
    expect(await streamTypes("group_path-summit/sub")).toEqual(["NameClaimed", "NameReleased"])

    // The cached content goes after the answer.
    await waitUntil(async () => {
      const state = await w.h.run(LiveView.pipe(Effect.flatMap((view) => view.current)))
      return state.cachedManifestsOf(w.groups.deep).length === 0 && state.cachedBlobsOf(w.groups.sub).length === 0
    }, 5_000, 50, "the deleted groups' cache purged")
    expect(await streamTypes(`manifest-${w.groups.deep}/alpine`)).toEqual(["ManifestCached", "ManifestExpired"])
    expect(await streamTypes(`blob-${w.groups.sub}/${DIGEST}`)).toEqual(["BlobCached", "BlobForgotten"])

    // The path may be taken again, empty; deleting again is 404; the log still verifies.
    const again = expectObject(await call(w.app, "POST", "/api/v4/groups", { token: w.owner.token, json: { name: "Sub", path: "sub", parent_id: w.groups.top } }), 201)
    expect(num(again, "id")).not.toBe(w.groups.sub)
    expect(expectObject(await get(`/groups/${num(again, "id")}/dependency_proxy`), 200)).toMatchObject({ image_count: 0, blob_count: 0 })
    expectError(await del(w.groups.sub), 404, notFound("Group"))
    const report = await w.h.run(verify)
    expect(report.projectionDifference).toBeNull()
    expect(report.ok).toBe(true)
  })

  it("lets an administrator delete a top-level group, its sole Owner included", async () => {
    expectError(await del(w.groups.other, w.owner.token), 404, notFound("Group"))
    expect(expectObject(await del(w.groups.other, w.root.token), 202)).toEqual({ message: "202 Accepted" })
    expectError(await get(`/groups/${w.groups.other}`, w.root.token), 404, notFound("Group"))
  })
})
