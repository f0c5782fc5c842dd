import { createHash } from "node:crypto"
import type { ServerResponse } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  MANIFEST_MEDIA_TYPES,
  MAX_MANIFEST_BYTES,
  UpstreamInvalid,
  UpstreamNotFound
} from "../../../src/application/ports/UpstreamRegistry.js"
import { fakeDocker } from "../../support/upstream/fakeDocker.js"
import { fakeServer, json } from "../../support/upstream/fakeServer.js"
import { ANONYMOUS, upstreamAt } from "../../support/upstream/undiciUpstream.js"

const INDEX = "application/vnd.oci.image.index.v1+json"
const BODY = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [] })
const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`
const DIGEST = sha256(BODY)

const reply = (response: ServerResponse, body: string, headers: Record<string, string> = {}) =>
  response.writeHead(200, { "content-type": `${INDEX}; charset=utf-8`, "content-length": String(Buffer.byteLength(body)), ...headers }).end(body)

describe("manifests", () => {
  it.scopedLive("sends the full Accept list on every manifest request, challenged or not", () =>
    Effect.gen(function*() {
      const docker = yield* fakeDocker({ content: (_request, response) => reply(response, BODY, { "docker-content-digest": DIGEST }) })
      const upstream = yield* upstreamAt(docker.registry.url)
      yield* upstream.headManifest(ANONYMOUS, "library/alpine", "3.19")
      yield* upstream.getManifest(ANONYMOUS, "library/alpine", "3.19")
      expect(docker.registry.seen).toHaveLength(3)
      for (const request of docker.registry.seen) {
        expect(request.headers.accept?.split(",").map((t) => t.trim())).toEqual([...MANIFEST_MEDIA_TYPES])
      }
    }))

  it.scopedLive("HEAD reports the upstream's digest, media type without parameters, and size", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response) => reply(response, BODY, { "docker-content-digest": DIGEST }))
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* upstream.headManifest(ANONYMOUS, "library/alpine", "3.19")).toEqual({ digest: DIGEST, mediaType: INDEX, size: BODY.length })
      expect(registry.seen[0]?.method).toBe("HEAD")
    }))

  it.scopedLive("HEAD without a digest header is UpstreamInvalid for a tag, and takes the reference for a digest", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response) => reply(response, BODY))
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* Effect.flip(upstream.headManifest(ANONYMOUS, "library/alpine", "3.19"))).toBeInstanceOf(UpstreamInvalid)
      expect((yield* upstream.headManifest(ANONYMOUS, "library/alpine", DIGEST)).digest).toBe(DIGEST)
    }))

  it.scopedLive("GET computes the digest, for tags and digests, and checks the upstream's header", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response) => reply(response, BODY, { "docker-content-digest": DIGEST }))
      const upstream = yield* upstreamAt(registry.url)
      const byTag = yield* upstream.getManifest(ANONYMOUS, "library/alpine", "3.19")
      expect({ ...byTag, body: Buffer.from(byTag.body).toString() }).toEqual({ digest: DIGEST, mediaType: INDEX, size: BODY.length, body: BODY })
      expect((yield* upstream.getManifest(ANONYMOUS, "library/alpine", DIGEST)).digest).toBe(DIGEST)
      expect(registry.seen[1]?.url.pathname).toBe(`/v2/library/alpine/manifests/${DIGEST}`)
    }))

  it.scopedLive("GET refuses a body that does not hash to the requested digest or to the upstream's header", () =>
    Effect.gen(function*() {
      const other = sha256("something else")
      const registry = yield* fakeServer((request, response) =>
        request.url?.includes("lying-header") === true ? reply(response, BODY, { "docker-content-digest": other }) : reply(response, BODY))
      const upstream = yield* upstreamAt(registry.url)
      const mismatch = yield* Effect.flip(upstream.getManifest(ANONYMOUS, "library/alpine", other))
      expect(mismatch).toBeInstanceOf(UpstreamInvalid)
      expect(mismatch._tag === "UpstreamInvalid" && mismatch.reason).toContain(`does not hash to ${other}`)
      expect(yield* Effect.flip(upstream.getManifest(ANONYMOUS, "lying-header/app", "1"))).toBeInstanceOf(UpstreamInvalid)
      // Not retried: the answer would be the same.
      expect(registry.seen).toHaveLength(2)
    }))

  it.scopedLive("GET falls back to the manifest's mediaType field and refuses a body that is not JSON", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((request, response) =>
        request.url?.includes("garbage") === true
          ? response.writeHead(200, { "content-type": INDEX }).end("<html>")
          : response.writeHead(200).end(BODY))
      const upstream = yield* upstreamAt(registry.url)
      expect((yield* upstream.getManifest(ANONYMOUS, "library/alpine", "3.19")).mediaType).toBe(INDEX)
      expect(yield* Effect.flip(upstream.getManifest(ANONYMOUS, "garbage/app", "1"))).toBeInstanceOf(UpstreamInvalid)
    }))

  it.scopedLive("an 11 MiB chunked manifest is cut off at the cap, not buffered to its end", () =>
    Effect.gen(function*() {
      const chunk = Buffer.alloc(512 * 1024, 0x20)
      const total = 11 * 1024 * 1024
      const server = { written: 0, aborted: false }
      const registry = yield* fakeServer((_request, response) => {
        response.on("close", () => {
          server.aborted = !response.writableFinished
        })
        response.writeHead(200, { "content-type": INDEX })
        const pump = () => {
          // Past the cap, hold the rest back: a client that buffers everything would wait for it.
          if (server.written > MAX_MANIFEST_BYTES) return void setTimeout(() => response.end(), 5_000).unref()
          if (server.written >= total) return void response.end()
          server.written += chunk.length
          if (response.write(chunk)) setImmediate(pump)
          else response.once("drain", pump)
        }
        pump()
      })
      const upstream = yield* upstreamAt(registry.url)
      const started = Date.now()
      const error = yield* Effect.flip(upstream.getManifest(ANONYMOUS, "library/huge", "1"))
      expect(error).toEqual(new UpstreamInvalid({ reason: `${registry.url}/v2/library/huge/manifests/1: body larger than ${MAX_MANIFEST_BYTES} bytes` }))
      expect(Date.now() - started).toBeLessThan(4_000)
      yield* Effect.sleep(50) // let the server notice the reset
      expect(server.aborted).toBe(true)
      expect(server.written).toBeLessThan(total)
    }))

  it.scopedLive("a Content-Length over the cap is refused before the body is read", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((request, response) => {
        response.writeHead(200, { "content-type": INDEX, "content-length": String(11 * 1024 * 1024) })
        // Node sends a HEAD response's headers only on end(); a GET gets a first kilobyte and then nothing.
        if (request.method === "HEAD") response.end()
        else response.write(Buffer.alloc(1024))
      })
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* Effect.flip(upstream.getManifest(ANONYMOUS, "library/huge", "1"))).toBeInstanceOf(UpstreamInvalid)
      expect(yield* Effect.flip(upstream.headManifest(ANONYMOUS, "library/huge", "1"))).toBeInstanceOf(UpstreamInvalid)
    }))

  it.scopedLive("404 is UpstreamNotFound(404), asked once", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response) => json(response, 404, { errors: [{ code: "MANIFEST_UNKNOWN" }] }))
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* Effect.flip(upstream.getManifest(ANONYMOUS, "library/nope", "1"))).toEqual(new UpstreamNotFound({ status: 404 }))
      expect(yield* Effect.flip(upstream.headManifest(ANONYMOUS, "library/nope", "1"))).toEqual(new UpstreamNotFound({ status: 404 }))
      expect(registry.seen).toHaveLength(2)
    }))
})
