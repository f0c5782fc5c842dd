import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { UpstreamInvalid, UpstreamNotFound } from "../../../src/application/ports/UpstreamRegistry.js"
import { fakeDocker } from "../../support/upstream/fakeDocker.js"
import { fakeServer, json } from "../../support/upstream/fakeServer.js"
import { ANONYMOUS, upstreamAt } from "../../support/upstream/undiciUpstream.js"

const PAGES: ReadonlyArray<ReadonlyArray<string>> = [["1", "2"], ["3", "4"], ["5"]]

describe("tags", () => {
  it.scopedLive("follows Link rel=next across pages, with the token on each", () =>
    Effect.gen(function*() {
      const docker = yield* fakeDocker({
        content: (_request, response, url, repository) => {
          const page = Number(url.searchParams.get("page") ?? "0")
          const link = page + 1 < PAGES.length ? { link: `</v2/${repository}/tags/list?n=2&page=${page + 1}>; rel="next"` } : {}
          json(response, 200, { name: repository, tags: PAGES[page] }, link)
        }
      })
      const upstream = yield* upstreamAt(docker.registry.url)
      expect(yield* upstream.tags(ANONYMOUS, "library/alpine")).toEqual(["1", "2", "3", "4", "5"])
      expect(docker.tokenServer.seen).toHaveLength(1)
      expect(docker.registry.seen.slice(1).map((r) => r.headers.authorization)).toEqual(["Bearer token-1", "Bearer token-1", "Bearer token-1"])
    }))

  it.scopedLive("reads `tags: null` as no tags, maps 404, and refuses a next page on another host", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((request, response) => {
        if (request.url?.includes("empty") === true) return json(response, 200, { name: "empty", tags: null })
        if (request.url?.includes("elsewhere") === true) return json(response, 200, { tags: ["a"] }, { link: `<https://evil.test/v2/x/tags/list>; rel="next"` })
        json(response, 404, { errors: [{ code: "NAME_UNKNOWN" }] })
      })
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* upstream.tags(ANONYMOUS, "library/empty")).toEqual([])
      expect(yield* Effect.flip(upstream.tags(ANONYMOUS, "library/nope"))).toEqual(new UpstreamNotFound({ status: 404 }))
      expect(yield* Effect.flip(upstream.tags(ANONYMOUS, "library/elsewhere"))).toBeInstanceOf(UpstreamInvalid)
    }))

  it.scopedLive("stops after 100 pages of a registry that links forever", () =>
    Effect.gen(function*() {
      const registry = yield* fakeServer((_request, response, url) =>
        json(response, 200, { tags: [url.search] }, { link: `<${url.pathname}?page=${registry.seen.length}>; rel="next"` }))
      const upstream = yield* upstreamAt(registry.url)
      expect(yield* upstream.tags(ANONYMOUS, "library/loop")).toHaveLength(100)
      expect(registry.seen).toHaveLength(100)
    }))
})
