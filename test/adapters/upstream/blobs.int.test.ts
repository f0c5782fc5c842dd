import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { UpstreamInvalid, UpstreamNotFound } from "../../../src/application/ports/UpstreamRegistry.js"
import { fakeDocker } from "../../support/upstream/fakeDocker.js"
import { fakeServer, json } from "../../support/upstream/fakeServer.js"
import { ANONYMOUS, upstreamAt } from "../../support/upstream/undiciUpstream.js"

const LAYER = Buffer.from("a layer's bytes, pretend they are gzip")
const DIGEST = `sha256:${createHash("sha256").update(LAYER).digest("hex")}`

const readAll = <E>(body: Stream.Stream<Uint8Array, E>) =>
  Stream.runCollect(body).pipe(Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks))))

describe("blobs", () => {
  it.scopedLive("follows a redirect to another origin without Authorization, streaming the body", () =>
    Effect.gen(function*() {
      const cdn = yield* fakeServer((_request, response) => response.writeHead(200, { "content-length": String(LAYER.length) }).end(LAYER))
      const docker = yield* fakeDocker({
        content: (_request, response, url) =>
          response.writeHead(307, { location: `${cdn.url}/blobs${url.pathname.slice(url.pathname.lastIndexOf("/"))}?sig=signed` }).end()
      })
      const upstream = yield* upstreamAt(docker.registry.url)
      const blob = yield* upstream.getBlob(ANONYMOUS, "library/alpine", DIGEST)
      expect(blob.size).toBe(LAYER.length)
      expect(yield* readAll(blob.body)).toEqual(LAYER)
      expect(docker.registry.seen.at(-1)?.headers.authorization).toBe("Bearer token-1")
      expect(cdn.seen).toHaveLength(1)
      expect(cdn.seen[0]?.url.search).toBe("?sig=signed")
      expect(cdn.seen[0]?.headers.authorization).toBeUndefined()

      expect(yield* upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST)).toEqual({ size: LAYER.length })
      expect(cdn.seen[1]?.method).toBe("HEAD")
      expect(cdn.seen[1]?.headers.authorization).toBeUndefined()
    }))

  it.scopedLive("keeps Authorization on a redirect that stays on the registry's origin", () =>
    Effect.gen(function*() {
      const docker = yield* fakeDocker({
        content: (request, response, url) =>
          url.pathname.startsWith("/storage/")
            ? response.writeHead(200, { "content-length": String(LAYER.length) }).end(LAYER)
            : response.writeHead(302, { location: `/storage/${request.url?.split("/").at(-1) ?? ""}` }).end()
      })
      const upstream = yield* upstreamAt(docker.registry.url)
      const blob = yield* upstream.getBlob(ANONYMOUS, "library/alpine", DIGEST)
      expect(yield* readAll(blob.body)).toEqual(LAYER)
      const storage = docker.registry.hits("/storage/")
      expect(storage).toHaveLength(1)
      expect(storage[0]?.headers.authorization).toBe("Bearer token-1")
    }))

  it.scopedLive("gives up after five redirects", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response, url) =>
        response.writeHead(307, { location: `${url.pathname}x` }).end())
      const upstream = yield* upstreamAt(registry.url)
      const error = yield* Effect.flip(upstream.getBlob(ANONYMOUS, "library/alpine", DIGEST))
      expect(error).toBeInstanceOf(UpstreamInvalid)
      expect(registry.seen).toHaveLength(6)
    }))

  it.scopedLive("404 is UpstreamNotFound, also when the CDN answers it", () =>
    Effect.gen(function*() {
      const cdn = yield* fakeServer((_request, response) => response.writeHead(404).end())
      const registry = yield* fakeServer((request, response) =>
        request.url?.includes("via-cdn") === true
          ? response.writeHead(307, { location: `${cdn.url}/gone` }).end()
          : json(response, 404, { errors: [{ code: "BLOB_UNKNOWN" }] }))
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* Effect.flip(upstream.getBlob(ANONYMOUS, "library/alpine", DIGEST))).toEqual(new UpstreamNotFound({ status: 404 }))
      expect(yield* Effect.flip(upstream.getBlob(ANONYMOUS, "via-cdn/app", DIGEST))).toEqual(new UpstreamNotFound({ status: 404 }))
      expect(yield* Effect.flip(upstream.headBlob(ANONYMOUS, "library/alpine", DIGEST))).toEqual(new UpstreamNotFound({ status: 404 }))
    }))

  it.scopedLive("hands the stream over before the body has arrived, and never re-requests it once streaming", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response) => {
        response.writeHead(200, { "content-length": String(1024 * 1024) })
        response.write(Buffer.alloc(1024))
        // Then the connection drops mid-body.
        setTimeout(() => response.socket?.destroy(), 50).unref()
      })
      const upstream = yield* upstreamAt(registry.url)
      const blob = yield* upstream.getBlob(ANONYMOUS, "library/alpine", DIGEST)
      expect(blob.size).toBe(1024 * 1024)
      const failure = yield* readAll(blob.body).pipe(Effect.flip)
      expect(failure._tag).toBe("BodyInterrupted")
      expect(registry.seen).toHaveLength(1)
    }))
})
