import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, TestClock } from "effect"
import { makeMemoryUpstream, type MemoryUpstream } from "../../../src/adapters/memory/MemoryUpstreamRegistry.js"
import * as MemoryBlobStore from "../../../src/adapters/memory/MemoryBlobStore.js"
import { RegistrySettings, type RegistrySettingsShape } from "../../../src/application/auth/RegistrySettings.js"
import { manifestCache } from "../../../src/application/cache/manifests.js"
import { LiveView, LiveViewLayer } from "../../../src/application/LiveView.js"
import { EventStore, startOfLog } from "../../../src/application/ports/EventStore.js"
import * as AesGcmSecretBox from "../../../src/adapters/crypto/AesGcmSecretBox.js"
import { changeGroup, changeGroupSettings, createGroup } from "../../../src/application/useCases/groups.js"
import { createUser } from "../../../src/application/useCases/users.js"
import type { Reference } from "../../../src/domain/registry/RegistryPath.js"
import { memoryApp } from "../../support/testApp.js"

// The manifest half of the pull-through cache (SPEC §5, ADR 0012) on the scripted upstream and a TestClock:
// what each pull costs upstream, counted, with no network and no real waiting.

const OCI = "application/vnd.oci.image.manifest.v1+json"
const IMAGE = "team/app"
const SECOND = 1_000
const SETTINGS: RegistrySettingsShape = {
  instanceEnabled: true,
  tokenUseIntervalMs: 60 * SECOND,
  cacheReadIntervalMs: 60 * 60 * SECOND,
  revalidationBudgetMs: 2 * SECOND,
  notFoundTtlMs: 60 * SECOND
}

const tag = (name: string): Reference => ({ _tag: "Tag", tag: name })
const manifestBody = (build: string) => JSON.stringify({ schemaVersion: 2, mediaType: OCI, config: {}, layers: [], build })

const app = (upstream: MemoryUpstream) =>
  LiveViewLayer.pipe(
    Layer.provideMerge(Layer.mergeAll(memoryApp(), MemoryBlobStore.layer, upstream.layer, Layer.succeed(RegistrySettings, SETTINGS)))
  )

/** A group, and the cache's manifest lookup for it as the registry routes call it. */
const world = (settings: { readonly checkIntervalSeconds?: number; readonly serveStaleOnNotFound?: boolean } = {}) =>
  Effect.gen(function*() {
    const pull = yield* manifestCache
    const owner = yield* createUser({ username: "olga", email: "o@x.io", name: "O", password: "password-1", admin: false })
    const groupId = yield* createGroup({ path: "g", name: "G", parentId: null, ownerUserId: owner })
    if (settings.checkIntervalSeconds !== undefined) yield* changeGroup(groupId, { _tag: "SetManifestCheckInterval", seconds: settings.checkIntervalSeconds })
    if (settings.serveStaleOnNotFound === true) yield* changeGroup(groupId, { _tag: "SetServeStaleOnNotFound", enabled: true })
    const otherId = yield* createGroup({ path: "h", name: "H", parentId: null, ownerUserId: owner })
    const groupView = (id: number) =>
      LiveView.pipe(Effect.flatMap((v) => v.current), Effect.map((state) => Option.getOrThrow(state.group(id))))
    return {
      pull: (reference: Reference, id = groupId) => groupView(id).pipe(Effect.flatMap((group) => pull(group, IMAGE, reference))),
      otherId,
      /** Docker Hub credentials sealed with another key than the service's: as after ENCRYPTION_KEY changed. */
      credentialsUnderAnotherKey: changeGroupSettings(groupId, { identity: "hub-user", secret: "hub-secret" }, []).pipe(
        Effect.provide(AesGcmSecretBox.layer([Buffer.alloc(32, 9)]))
      )
    }
  })

const manifestsCached = EventStore.pipe(
  Effect.flatMap((store) => store.readAll(startOfLog, 100_000)),
  Effect.map((events) => events.filter((e) => e.type === "ManifestCached").length)
)

/** What upstream was asked, as `method reference` lines, and the log emptied for the next step. */
const asked = (upstream: MemoryUpstream, since: number) => upstream.calls().slice(since).map((c) => `${c.method} ${c.reference}`)

describe("cached manifests, against a scripted upstream", () => {
  it.scoped("a tag seen for the first time costs one GET and is recorded", () => {
    const upstream = makeMemoryUpstream()
    return Effect.gen(function*() {
      const w = yield* world()
      const pushed = upstream.pushManifest("team/app", "1.0", { mediaType: OCI, body: manifestBody("a") })
      const served = yield* w.pull(tag("1.0"))
      expect(served.digest).toBe(pushed.digest)
      expect(asked(upstream, 0)).toEqual(["getManifest 1.0"])
      expect(yield* manifestsCached).toBe(1)
    }).pipe(Effect.provide(app(upstream)))
  })

  it.scoped("a cached tag upstream still has costs one HEAD and no GET, and records nothing", () => {
    const upstream = makeMemoryUpstream()
    return Effect.gen(function*() {
      const w = yield* world()
      const pushed = upstream.pushManifest("team/app", "1.0", { mediaType: OCI, body: manifestBody("a") })
      yield* w.pull(tag("1.0"))
      const before = upstream.calls().length
      const served = yield* w.pull(tag("1.0"))
      expect(served.digest).toBe(pushed.digest)
      expect(Buffer.from(served.body).toString()).toBe(manifestBody("a"))
      expect(asked(upstream, before)).toEqual(["headManifest 1.0"])
      expect(yield* manifestsCached).toBe(1)
    }).pipe(Effect.provide(app(upstream)))
  })

  it.scoped("a tag confirmed within the group's check interval costs nothing; past it, one HEAD", () => {
    const upstream = makeMemoryUpstream()
    return Effect.gen(function*() {
      const w = yield* world({ checkIntervalSeconds: 300 })
      upstream.pushManifest("team/app", "1.0", { mediaType: OCI, body: manifestBody("a") })
      yield* w.pull(tag("1.0"))
      const before = upstream.calls().length
      yield* TestClock.adjust(299 * SECOND)
      yield* w.pull(tag("1.0"))
      expect(asked(upstream, before)).toEqual([])
      yield* TestClock.adjust(1 * SECOND)
      yield* w.pull(tag("1.0"))
      expect(asked(upstream, before)).toEqual(["headManifest 1.0"])
    }).pipe(Effect.provide(app(upstream)))
  })

  it.scoped("a tag that moved upstream is revalidated with a HEAD and fetched with a GET only then", () => {
    const upstream = makeMemoryUpstream()
    return Effect.gen(function*() {
      const w = yield* world()
      upstream.pushManifest("team/app", "latest", { mediaType: OCI, body: manifestBody("a") })
      yield* w.pull(tag("latest"))
      const moved = upstream.pushManifest("team/app", "latest", { mediaType: OCI, body: manifestBody("b") })
      const before = upstream.calls().length
      const served = yield* w.pull(tag("latest"))
      expect(served.digest).toBe(moved.digest)
      expect(asked(upstream, before)).toEqual(["headManifest latest", "getManifest latest"])
      expect(yield* manifestsCached).toBe(2)
      const next = upstream.calls().length
      expect((yield* w.pull(tag("latest"))).digest).toBe(moved.digest)
      expect(asked(upstream, next)).toEqual(["headManifest latest"])
    }).pipe(Effect.provide(app(upstream)))
  })

  it.scoped("a cached digest is served without asking upstream anything", () => {
    const upstream = makeMemoryUpstream()
    return Effect.gen(function*() {
      const w = yield* world()
      const pushed = upstream.pushManifest("team/app", "1.0", { mediaType: OCI, body: manifestBody("a") })
      yield* w.pull({ _tag: "Digest", digest: pushed.digest })
      const before = upstream.calls().length
      upstream.setReachable(false)
      expect((yield* w.pull({ _tag: "Digest", digest: pushed.digest })).digest).toBe(pushed.digest)
      expect(asked(upstream, before)).toEqual([])
    }).pipe(Effect.provide(app(upstream)))
  })

  /** Tag 1.0 pulled into the cache, 2.0 only upstream: how far the cache gets without upstream. */
  const oneCachedOneNot = (upstream: MemoryUpstream) =>
    Effect.gen(function*() {
      const w = yield* world()
      const cached = upstream.pushManifest("team/app", "1.0", { mediaType: OCI, body: manifestBody("a") })
      upstream.pushManifest("team/app", "2.0", { mediaType: OCI, body: manifestBody("b") })
      yield* w.pull(tag("1.0"))
      return { w, cached, before: upstream.calls().length }
    })

  it.scoped("upstream down serves the cached tag; a tag never cached is UpstreamUnavailable", () => {
    const upstream = makeMemoryUpstream()
    return Effect.gen(function*() {
      const { w, cached } = yield* oneCachedOneNot(upstream)
      upstream.setReachable(false)
      expect((yield* w.pull(tag("1.0"))).digest).toBe(cached.digest)
      expect((yield* Effect.flip(w.pull(tag("2.0"))))._tag).toBe("UpstreamUnavailable")
    }).pipe(Effect.provide(app(upstream)))
  })

  it.scoped("while the breaker refuses, a cached tag is served and an uncached one is a 503 with Retry-After, nothing asked", () => {
    const upstream = makeMemoryUpstream()
    return Effect.gen(function*() {
      const { w, cached, before } = yield* oneCachedOneNot(upstream)
      upstream.setRefusal(7_000)
      expect((yield* w.pull(tag("1.0"))).digest).toBe(cached.digest)
      const refused = yield* Effect.flip(w.pull(tag("2.0")))
      expect(refused).toMatchObject({ _tag: "UpstreamUnavailable", refusedByBreaker: true, retryAfterMs: 7_000 })
      expect(asked(upstream, before)).toEqual([])
    }).pipe(Effect.provide(app(upstream)))
  })

  it.scoped("a 404 is remembered per tag and group for its TTL, then asked again", () => {
    const upstream = makeMemoryUpstream()
    return Effect.gen(function*() {
      const w = yield* world()
      expect((yield* Effect.flip(w.pull(tag("gone"))))._tag).toBe("ManifestUnknown")
      expect(upstream.count("getManifest")).toBe(1)
      yield* TestClock.adjust(SETTINGS.notFoundTtlMs - 1)
      expect((yield* Effect.flip(w.pull(tag("gone"))))._tag).toBe("ManifestUnknown")
      expect(upstream.count("getManifest")).toBe(1)
      // Another group asks for itself: its credentials may reach what this group's do not.
      expect((yield* Effect.flip(w.pull(tag("gone"), w.otherId)))._tag).toBe("ManifestUnknown")
      expect(upstream.count("getManifest")).toBe(2)
      yield* TestClock.adjust(1)
      const pushed = upstream.pushManifest("team/app", "gone", { mediaType: OCI, body: manifestBody("back") })
      expect((yield* w.pull(tag("gone"))).digest).toBe(pushed.digest)
      expect(upstream.count("getManifest")).toBe(3)
    }).pipe(Effect.provide(app(upstream)))
  })

  it.scoped("a tag deleted upstream is MANIFEST_UNKNOWN, unless the group serves stale copies of deleted tags", () => {
    const strict = makeMemoryUpstream()
    const lenient = makeMemoryUpstream()
    const deleted = (upstream: MemoryUpstream, settings: { readonly serveStaleOnNotFound?: boolean }) =>
      Effect.gen(function*() {
        const w = yield* world(settings)
        upstream.pushManifest("team/app", "1.0", { mediaType: OCI, body: manifestBody("a") })
        yield* w.pull(tag("1.0"))
        upstream.deleteTag("team/app", "1.0")
        return yield* w.pull(tag("1.0")).pipe(Effect.map((m) => m.digest), Effect.catchAll((e) => Effect.succeed(e._tag)))
      }).pipe(Effect.provide(app(upstream)))
    return Effect.gen(function*() {
      expect(yield* deleted(strict, {})).toBe("ManifestUnknown")
      expect(yield* deleted(lenient, { serveStaleOnNotFound: true })).toMatch(/^sha256:/)
    })
  })

  it.scoped("a HEAD slower than the budget: the pull gets the cached copy when the budget ends, and the check goes on", () => {
    const upstream = makeMemoryUpstream()
    return Effect.gen(function*() {
      const w = yield* world()
      const first = upstream.pushManifest("team/app", "latest", { mediaType: OCI, body: manifestBody("a") })
      yield* w.pull(tag("latest"))
      const moved = upstream.pushManifest("team/app", "latest", { mediaType: OCI, body: manifestBody("b") })
      upstream.setLatency(5 * SECOND)
      const pulling = yield* Effect.fork(w.pull(tag("latest")))
      yield* TestClock.adjust(SETTINGS.revalidationBudgetMs)
      expect((yield* Fiber.join(pulling)).digest).toBe(first.digest)
      // The check, still under way, finds the new digest and fetches it for the next pull.
      yield* TestClock.adjust(10 * SECOND)
      upstream.setLatency(0)
      // The check's fiber runs as others yield: give it turns, a bounded number of them.
      for (let turn = 0; turn < 100 && (yield* manifestsCached) < 2; turn++) yield* Effect.yieldNow()
      expect(yield* manifestsCached).toBe(2)
      expect((yield* w.pull(tag("latest"))).digest).toBe(moved.digest)
    }).pipe(Effect.provide(app(upstream)))
  })
  it.scoped("a Docker Hub secret that no longer opens fails only what needs upstream: cached digests and tags still pull", () => {
    const upstream = makeMemoryUpstream()
    return Effect.gen(function*() {
      const w = yield* world()
      const pushed = upstream.pushManifest("team/app", "1.0", { mediaType: OCI, body: manifestBody("a") })
      yield* w.pull(tag("1.0"))
      yield* w.credentialsUnderAnotherKey
      const before = upstream.calls().length
      expect((yield* w.pull({ _tag: "Digest", digest: pushed.digest })).digest).toBe(pushed.digest)
      // The tag's check cannot ask upstream: served as stale, as when upstream is down.
      expect((yield* w.pull(tag("1.0"))).digest).toBe(pushed.digest)
      expect(asked(upstream, before)).toEqual([])
      // A tag the cache does not have needs upstream, and is refused with why.
      upstream.pushManifest("team/app", "2.0", { mediaType: OCI, body: manifestBody("b") })
      const refused = yield* Effect.flip(w.pull(tag("2.0")))
      expect(refused).toMatchObject({ _tag: "UpstreamUnavailable", reason: "the group's Docker Hub credentials cannot be read" })
    }).pipe(Effect.provide(app(upstream)))
  })
})
