import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createGroup } from "../../src/application/useCases/groups.js"
import { createUser } from "../../src/application/useCases/users.js"
import { basic, EXTERNAL_URL, manifestPath, type RegistryHarness, registryHarness, scopeFor } from "../support/registryApp.js"
import {
  bearer,
  bearerChallenge,
  expectApiVersion,
  expectBearerChallenge,
  expectOciError,
  expectPulled,
  getManifest,
  IMAGE,
  issueToken,
  jwtPayload,
  passwordOf,
  pullToken,
  type World,
  worldHarness
} from "../support/worlds/httpWorld.js"

const blobPath = (group: string, digest: string, image = IMAGE.image) => `/v2/${group}/dependency_proxy/containers/${image}/blobs/${digest}`

const LAYER = IMAGE.blobs[0] ?? Buffer.alloc(0)

describe("registry routes", () => {
  let w: World
  let token = ""
  beforeAll(async () => {
    w = await worldHarness()
    token = await pullToken(w.app, "reporter", passwordOf("reporter"), "top")
  })
  afterAll(() => w.h.close())

  describe("bearer tokens", () => {
    it("/v2/ without a token: 401 with the realm and service, no scope", async () => {
      const response = await w.app.inject({ method: "GET", url: "/v2/" })
      expectOciError(response, 401, "UNAUTHORIZED")
      expect(response.headers["www-authenticate"]).toBe(`Bearer realm="${EXTERNAL_URL}/jwt/auth",service="dependency_proxy"`)
    })

    it("a manifest without a token: 401 with the repository's scope in the challenge", async () => {
      const response = await w.app.inject({ method: "GET", url: manifestPath("top", "alpine", "3.19") })
      expectBearerChallenge(response, "top")
    })

    it("a blob without a token, and a manifest with Basic credentials instead of a token: 401 with the challenge", async () => {
      expectBearerChallenge(await w.app.inject({ method: "GET", url: blobPath("top", IMAGE.layerDigest) }), "top")
      const withBasic = await w.app.inject({
        method: "GET",
        url: manifestPath("top", "alpine", "3.19"),
        headers: { authorization: basic("reporter", passwordOf("reporter")) }
      })
      expectBearerChallenge(withBasic, "top")
    })

    it.each([
      ["garbage", "not-a-jwt"],
      ["three segments of nonsense", "aaa.bbb.ccc"],
      // An unsigned token naming a real user: must not be taken at its word.
      [
        "an unsigned (alg: none) token",
        `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${
          Buffer.from(JSON.stringify({ sub: "user:1", access: [{ type: "repository", name: "top/dependency_proxy/containers/alpine", actions: ["pull"] }] }))
            .toString("base64url")
        }.`
      ]
    ])("%s: 401", async (_case, garbage) => {
      expectBearerChallenge(await getManifest(w.app, garbage, "top"), "top")
      expectOciError(await w.app.inject({ method: "GET", url: "/v2/", headers: bearer(garbage) }), 401, "UNAUTHORIZED")
    })

    it("a token signed by another instance's keys: 401", async () => {
      const stranger = await registryHarness()
      try {
        const owner = await stranger.run(createUser({ username: "reporter", email: "r@x.io", name: "R", password: passwordOf("reporter"), admin: false }))
        await stranger.run(createGroup({ path: "top", name: "Top", parentId: null, ownerUserId: owner }))
        const foreign = await pullToken(stranger.app, "reporter", passwordOf("reporter"), "top")
        expectPulled(await getManifest(stranger.app, foreign, "top"))
        expectBearerChallenge(await getManifest(w.app, foreign, "top"), "top")
      } finally {
        await stranger.close()
      }
    })

    it("a scope-less (docker login) token on a manifest: 401, the token does not cover the repository", async () => {
      const loginToken = await issueToken(w.app, "reporter", passwordOf("reporter"), [])
      expectBearerChallenge(await getManifest(w.app, loginToken, "top"), "top", expect.stringMatching(/does not cover/))
    })

    it("a token for one repository on another (other group, other image): 401", async () => {
      expectBearerChallenge(await getManifest(w.app, token, "top/sub"), "top/sub", expect.stringMatching(/does not cover/))
      const busyboxToken = await issueToken(w.app, "reporter", passwordOf("reporter"), [scopeFor("top", "busybox")])
      expectBearerChallenge(await getManifest(w.app, busyboxToken, "top"), "top", expect.stringMatching(/does not cover/))
    })
  })

  describe("manifests", () => {
    it("GET by tag and by digest", async () => {
      expectPulled(await getManifest(w.app, token, "top"))
      const byDigest = await getManifest(w.app, token, "top", IMAGE.manifestDigest)
      expectPulled(byDigest)
      expect(byDigest.headers["content-type"]).toBe(IMAGE.mediaType)
    })

    it("HEAD: the headers of a GET and no body", async () => {
      const response = await getManifest(w.app, token, "top", IMAGE.tag, "HEAD")
      expect(response.statusCode).toBe(200)
      expectApiVersion(response)
      // containerd takes the descriptor's size from this header: it must be the manifest's, not 0.
      expect(response.headers["content-length"]).toBe(String(Buffer.byteLength(IMAGE.manifest)))
      expect(response.headers["docker-content-digest"]).toBe(IMAGE.manifestDigest)
      expect(response.headers["content-type"]).toBe(IMAGE.mediaType)
      expect(response.body).toBe("")
    })

    it("an unknown tag or digest: 404 MANIFEST_UNKNOWN", async () => {
      expectOciError(await getManifest(w.app, token, "top", "no-such-tag"), 404, "MANIFEST_UNKNOWN", "manifest unknown", {
        name: "alpine",
        reference: "no-such-tag"
      })
      const missingDigest = `sha256:${"0".repeat(64)}`
      expectOciError(await getManifest(w.app, token, "top", missingDigest), 404, "MANIFEST_UNKNOWN", "manifest unknown", {
        name: "alpine",
        reference: missingDigest
      })
    })

    it.each([
      ["an image name with capitals", "/v2/top/dependency_proxy/containers/Alpine/manifests/latest"],
      ["an image name starting with a separator", "/v2/top/dependency_proxy/containers/-alpine/manifests/latest"],
      ["a group path with a percent sign", "/v2/to%2Fp/dependency_proxy/containers/alpine/manifests/latest"],
      ["a group segment ending in a dot", "/v2/top./dependency_proxy/containers/alpine/manifests/latest"],
      ["an image name with a percent sign", "/v2/top/dependency_proxy/containers/al%70ine/manifests/latest"]
    ])("%s: 400 NAME_INVALID", async (_case, url) => {
      expectOciError(await w.app.inject({ method: "GET", url, headers: bearer(token) }), 400, "NAME_INVALID")
    })

    it.each([
      ["a manifest digest that is not hex", manifestPath("top", "alpine", "sha256:xyz")],
      ["a manifest digest with another algorithm", manifestPath("top", "alpine", `md5:${"0".repeat(32)}`)],
      ["a blob reference that is not a digest", blobPath("top", "latest")],
      ["a blob digest in capitals", blobPath("top", `sha256:${"A".repeat(64)}`)],
      ["a blob digest that is too short", blobPath("top", "sha256:abc")]
    ])("%s: 400 DIGEST_INVALID", async (_case, url) => {
      expectOciError(await w.app.inject({ method: "GET", url, headers: bearer(token) }), 400, "DIGEST_INVALID")
    })
  })

  describe("blobs", () => {
    it("GET: 200 with the bytes, their length and digest", async () => {
      const response = await w.app.inject({ method: "GET", url: blobPath("top", IMAGE.layerDigest), headers: bearer(token) })
      expect(response.statusCode).toBe(200)
      expectApiVersion(response)
      expect(response.headers["content-length"]).toBe(String(LAYER.length))
      expect(response.headers["docker-content-digest"]).toBe(IMAGE.layerDigest)
      expect(response.rawPayload.equals(Buffer.from(LAYER))).toBe(true)
    })

    it("HEAD: the length and digest, no body", async () => {
      const response = await w.app.inject({ method: "HEAD", url: blobPath("top", IMAGE.layerDigest), headers: bearer(token) })
      expect(response.statusCode).toBe(200)
      expectApiVersion(response)
      expect(response.headers["content-length"]).toBe(String(LAYER.length))
      expect(response.headers["docker-content-digest"]).toBe(IMAGE.layerDigest)
      expect(response.body).toBe("")
    })

    it("Range bytes=2-5: 206 with those four bytes and a content-range", async () => {
      const response = await w.app.inject({ method: "GET", url: blobPath("top", IMAGE.layerDigest), headers: { ...bearer(token), range: "bytes=2-5" } })
      expect(response.statusCode).toBe(206)
      expectApiVersion(response)
      expect(response.headers["content-range"]).toBe(`bytes 2-5/${LAYER.length}`)
      expect(response.headers["content-length"]).toBe("4")
      expect(response.rawPayload.equals(Buffer.from(LAYER).subarray(2, 6))).toBe(true)
    })

    it("an unsatisfiable range: 416 RANGE_INVALID with the size in content-range", async () => {
      const response = await w.app.inject({
        method: "GET",
        url: blobPath("top", IMAGE.layerDigest),
        headers: { ...bearer(token), range: `bytes=${LAYER.length}-` }
      })
      expectOciError(response, 416, "RANGE_INVALID")
      expect(response.headers["content-range"]).toBe(`bytes */${LAYER.length}`)
    })

    it("an unknown blob: 404 BLOB_UNKNOWN", async () => {
      const missing = `sha256:${"1".repeat(64)}`
      expectOciError(
        await w.app.inject({ method: "GET", url: blobPath("top", missing), headers: bearer(token) }),
        404,
        "BLOB_UNKNOWN",
        "blob unknown to registry",
        { digest: missing }
      )
    })
  })

  describe("a cache takes no pushes", () => {
    const pushes: ReadonlyArray<readonly ["POST" | "PUT" | "PATCH" | "DELETE", string]> = [
      ["POST", "/v2/top/dependency_proxy/containers/alpine/blobs/uploads/"],
      ["PUT", manifestPath("top", "alpine", "3.19")],
      ["PATCH", "/v2/top/dependency_proxy/containers/alpine/blobs/uploads/some-upload"],
      ["DELETE", manifestPath("top", "alpine", IMAGE.manifestDigest)],
      ["DELETE", blobPath("top", IMAGE.layerDigest)]
    ]
    it.each(pushes)("%s %s: 405 UNSUPPORTED, with or without a token", async (method, url) => {
      expectOciError(await w.app.inject({ method, url }), 405, "UNSUPPORTED")
      const withBody = await w.app.inject({ method, url, headers: { ...bearer(token), "content-type": "application/json" }, payload: "{}" })
      expectOciError(withBody, 405, "UNSUPPORTED")
      // Refused before any body parser runs: a manifest, a layer, or broken JSON all get the same answer.
      const bodies: ReadonlyArray<readonly [string, string]> = [
        [IMAGE.mediaType, IMAGE.manifest],
        ["application/octet-stream", "layer"],
        ["application/json", "{not json"]
      ]
      for (const [type, payload] of bodies) {
        const pushed = await w.app.inject({ method, url, headers: { ...bearer(token), "content-type": type }, payload })
        expectOciError(pushed, 405, "UNSUPPORTED")
      }
    })
  })
})

describe("an expired registry JWT", () => {
  let h: RegistryHarness
  beforeAll(async () => {
    // The verifier allows 30 s of clock skew, so waiting out a short lifetime would take over 30 s. A lifetime in
    // the past (which only the config, not the harness, forbids) yields tokens already expired beyond the skew.
    h = await registryHarness({ expirySeconds: -120 })
    const owner = await h.run(createUser({ username: "olga", email: "o@x.io", name: "O", password: passwordOf("olga"), admin: false }))
    await h.run(createGroup({ path: "top", name: "Top", parentId: null, ownerUserId: owner }))
  })
  afterAll(() => h.close())

  it("is refused with 401 and the Bearer challenge, on manifests and on /v2/", async () => {
    const expired = await pullToken(h.app, "olga", passwordOf("olga"), "top")
    const exp = jwtPayload(expired).exp
    expect(typeof exp === "number" && exp * 1000 < Date.now() - 30_000).toBe(true)
    const response = await getManifest(h.app, expired, "top")
    expectOciError(response, 401, "UNAUTHORIZED", expect.stringMatching(/expired/))
    expect(response.headers["www-authenticate"]).toBe(bearerChallenge("top"))
    expectOciError(await h.app.inject({ method: "GET", url: "/v2/", headers: bearer(expired) }), 401, "UNAUTHORIZED")
  })
})
