import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { Effect } from "effect"
import { UpstreamInvalid, UpstreamCredentialsRejected, UpstreamNotFound, UpstreamUnavailable } from "../../../src/application/ports/UpstreamRegistry.js"
import { fakeDocker, SERVICE } from "../../support/upstream/fakeDocker.js"
import { closedPort, fakeServer, json } from "../../support/upstream/fakeServer.js"
import { ANONYMOUS, upstreamAt } from "../../support/upstream/undiciUpstream.js"

const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json" })
const ALICE = { groupId: 1, credentials: { identity: "alice", secret: "alice-hub-secret" } }
const serveManifest = fakeDocker({
  users: new Map([["alice", "alice-hub-secret"]]),
  content: (_request, response) =>
    response.writeHead(200, {
      "content-type": "application/vnd.oci.image.manifest.v1+json",
      "content-length": String(Buffer.byteLength(MANIFEST)),
      "docker-content-digest": `sha256:${createHash("sha256").update(MANIFEST).digest("hex")}`
    }).end(MANIFEST)
})

describe("Docker's token flow", () => {
  it.scopedLive("pulls anonymously: no Basic header, the service and our pull scope, then the Bearer token", () =>
    Effect.gen(function*() {
      const docker = yield* serveManifest
      const upstream = yield* upstreamAt(docker.registry.url)
      const manifest = yield* upstream.getManifest(ANONYMOUS, "library/alpine", "3.19")
      expect(Buffer.from(manifest.body).toString()).toBe(MANIFEST)

      const [tokenRequest] = docker.tokenServer.seen
      expect(docker.tokenServer.seen).toHaveLength(1)
      expect(tokenRequest?.headers.authorization).toBeUndefined()
      expect(tokenRequest?.url.searchParams.get("service")).toBe(SERVICE)
      expect(tokenRequest?.url.searchParams.get("scope")).toBe("repository:library/alpine:pull")
      expect(docker.registry.seen.map((r) => r.headers.authorization)).toEqual([undefined, "Bearer token-1"])
    }))

  it.scopedLive("sends Basic credentials to the token endpoint only when the caller has them", () =>
    Effect.gen(function*() {
      const docker = yield* serveManifest
      const upstream = yield* upstreamAt(docker.registry.url)
      yield* upstream.getManifest(ALICE, "library/alpine", "3.19")
      expect(docker.tokenServer.seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from("alice:alice-hub-secret").toString("base64")}`)
      expect(docker.issued.get("token-1")?.identity).toBe("alice")
      // The registry itself never sees the Basic credentials, only the token.
      expect(docker.registry.seen.every((r) => !r.headers.authorization?.startsWith("Basic"))).toBe(true)
    }))

  it.scopedLive("asks once per group and repository, for sequential and concurrent requests alike", () =>
    Effect.gen(function*() {
      const docker = yield* serveManifest
      const upstream = yield* upstreamAt(docker.registry.url)
      yield* Effect.all(Array.from({ length: 5 }, () => upstream.getManifest(ALICE, "library/alpine", "3.19")), { concurrency: "unbounded" })
      yield* upstream.headManifest(ALICE, "library/alpine", "3.19")
      yield* upstream.getManifest(ALICE, "library/alpine", "latest")
      expect(docker.tokenServer.seen).toHaveLength(1)
      // Once a token is cached it is sent at once: no further anonymous round trip.
      expect(docker.registry.seen.filter((r) => r.headers.authorization === undefined)).toHaveLength(5)

      yield* upstream.getManifest({ ...ALICE, groupId: 2 }, "library/alpine", "3.19")
      yield* upstream.getManifest(ALICE, "library/node", "20")
      yield* upstream.getManifest(ANONYMOUS, "library/alpine", "3.19")
      expect(docker.tokenServer.seen).toHaveLength(4)
      expect([...docker.issued.values()].map((t) => t.identity)).toEqual(["alice", "alice", "alice", null])
    }))

  it.scopedLive("fetches a new token when the registry refuses the cached one", () =>
    Effect.gen(function*() {
      const docker = yield* serveManifest
      const upstream = yield* upstreamAt(docker.registry.url)
      yield* upstream.getManifest(ANONYMOUS, "library/alpine", "3.19")
      docker.issued.clear() // the registry forgets every token, as after a key rotation
      yield* upstream.getManifest(ANONYMOUS, "library/alpine", "3.19")
      expect(docker.tokenServer.seen).toHaveLength(2)
      expect(docker.registry.seen.at(-1)?.headers.authorization).toBe("Bearer token-1")
    }))

  it.scopedLive("bad credentials at the token endpoint are UpstreamCredentialsRejected(401), not retried", () =>
    Effect.gen(function*() {
      const docker = yield* serveManifest
      const upstream = yield* upstreamAt(docker.registry.url)
      const caller = { groupId: 1, credentials: { identity: "alice", secret: "wrong-secret" } }
      const error = yield* Effect.flip(upstream.getManifest(caller, "library/alpine", "3.19"))
      expect(error).toEqual(new UpstreamCredentialsRejected({ status: 401 }))
      expect(docker.tokenServer.seen).toHaveLength(1)
    }))

  it.scopedLive("a registry refusing a fresh token is UpstreamNotFound with its status", () =>
    Effect.gen(function*() {
      const forbidden = yield* fakeDocker({ content: (_request, response) => json(response, 403, { errors: [{ code: "DENIED" }] }) })
      const forbiddenUpstream = yield* upstreamAt(forbidden.registry.url)
      expect(yield* Effect.flip(forbiddenUpstream.getManifest(ANONYMOUS, "private/app", "1"))).toEqual(new UpstreamNotFound({ status: 403 }))

      // A registry that challenges even requests with a token: one fresh token, then give up.
      const token = yield* fakeServer((_request, response) => json(response, 200, { access_token: "opaque" }))
      const stubborn = yield* fakeServer((_request, response) =>
        json(response, 401, {}, { "www-authenticate": `Bearer realm="${token.url}/token",service="s"` }))
      const stubbornUpstream = yield* upstreamAt(stubborn.url)
      expect(yield* Effect.flip(stubbornUpstream.getManifest(ANONYMOUS, "private/app", "1"))).toEqual(new UpstreamNotFound({ status: 401 }))
      expect(stubborn.seen.map((r) => r.headers.authorization)).toEqual([undefined, "Bearer opaque"])
    }))

  it.scopedLive("answers a Basic-only challenge with the caller's credentials, and refuses anonymous callers", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((request, response) =>
        request.headers.authorization === `Basic ${Buffer.from("alice:alice-hub-secret").toString("base64")}`
          ? response.writeHead(200, { "content-length": "7" }).end()
          : json(response, 401, {}, { "www-authenticate": `Basic realm="registry"` }))
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* upstream.headBlob(ALICE, "library/alpine", `sha256:${"a".repeat(64)}`)).toEqual({ size: 7 })
      expect(yield* Effect.flip(upstream.headBlob(ANONYMOUS, "library/alpine", `sha256:${"a".repeat(64)}`))).toEqual(new UpstreamNotFound({ status: 401 }))
    }))

  it.scopedLive("a token endpoint that is down is UpstreamUnavailable naming the token endpoint, never the secret", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const registry = yield* fakeServer((_request, response) =>
        json(response, 401, {}, { "www-authenticate": `Bearer realm="http://127.0.0.1:${port}/token",service="s"` }))
      const upstream = yield* upstreamAt(registry.url)
      const error = yield* Effect.flip(upstream.getManifest(ALICE, "library/alpine", "3.19"))
      expect(error).toBeInstanceOf(UpstreamUnavailable)
      expect(error._tag === "UpstreamUnavailable" && error.reason).toMatch(/^token endpoint: .*ECONNREFUSED/)
      expect(JSON.stringify(error)).not.toContain("alice-hub-secret")
      // Three attempts (retries: 2), each challenged anew because no token was ever cached.
      expect(registry.seen).toHaveLength(3)
    }))

  it.scopedLive("a token endpoint answering 5xx is retried, then UpstreamUnavailable", () =>
    Effect.gen(function*() {
      const token = yield* fakeServer((_request, response) => json(response, 502, {}))
      const registry = yield* fakeServer((_request, response) =>
        json(response, 401, {}, { "www-authenticate": `Bearer realm="${token.url}/token"` }))
      const upstream = yield* upstreamAt(registry.url, { retries: 1 })
      const error = yield* Effect.flip(upstream.getManifest(ANONYMOUS, "library/alpine", "3.19"))
      expect(error).toEqual(new UpstreamUnavailable({ reason: `token endpoint: ${token.url}/token answered 502` }))
      expect(token.seen).toHaveLength(2)
    }))

  it.scopedLive("a token response without a token, or a realm that is no URL, is UpstreamInvalid", () =>
    Effect.gen(function*() {
      const token = yield* fakeServer((_request, response) => json(response, 200, { nothing: "here" }))
      const registry = yield* fakeServer((request, response) =>
        json(response, 401, {}, {
          "www-authenticate": request.url?.includes("bad-realm") === true ? `Bearer realm="not a url"` : `Bearer realm="${token.url}/token"`
        }))
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* Effect.flip(upstream.getManifest(ANONYMOUS, "library/alpine", "3.19")))
        .toEqual(new UpstreamInvalid({ reason: "token endpoint: the response holds no token" }))
      expect(yield* Effect.flip(upstream.getManifest(ANONYMOUS, "bad-realm/x", "1")))
        .toEqual(new UpstreamInvalid({ reason: "token endpoint: the challenge names no usable realm" }))
    }))
})
