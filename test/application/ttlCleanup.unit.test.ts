import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { Effect, Layer, Option, TestClock } from "effect"
import { cleanup, purgeGroupCache } from "../../src/application/cache/cleanup.js"
import { recordBlob, recordBlobRead, recordManifest } from "../../src/application/cache/cacheEvents.js"
import { LiveView, LiveViewLayer } from "../../src/application/LiveView.js"
import { BlobStore } from "../../src/application/ports/BlobStore.js"
import { EventStore, startOfLog } from "../../src/application/ports/EventStore.js"
import { deleteGroup } from "../../src/application/useCases/deleteGroup.js"
import { changeGroup, createGroup } from "../../src/application/useCases/groups.js"
import { createUser } from "../../src/application/useCases/users.js"
import * as MemoryBlobStore from "../../src/adapters/memory/MemoryBlobStore.js"
import { memoryApp } from "../support/testApp.js"

const DAY = 24 * 60 * 60 * 1000
const app = () => LiveViewLayer.pipe(Layer.provideMerge(Layer.merge(memoryApp(), MemoryBlobStore.layer)))

const storeBlob = (text: string) =>
  Effect.gen(function*() {
    const bytes = Buffer.from(text)
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`
    const store = yield* BlobStore
    const write = yield* store.begin(digest)
    yield* write.append(bytes)
    yield* write.commit
    return { digest, size: bytes.length }
  })

const world = Effect.gen(function*() {
  const owner = yield* createUser({ username: "olga", email: "o@x.io", name: "O", password: "password-1", admin: false })
  const a = yield* createGroup({ path: "a", name: "A", parentId: null, ownerUserId: owner })
  const b = yield* createGroup({ path: "b", name: "B", parentId: null, ownerUserId: owner })
  yield* changeGroup(a, { _tag: "UpdateImageTtlPolicy", enabled: true, ttlDays: 30 })
  const read = yield* storeBlob("read on day 10")
  const stale = yield* storeBlob("never read again")
  const shared = yield* storeBlob("also cached by group b")
  const manifest = yield* storeBlob("{\"schemaVersion\":2}")
  for (const blob of [read, stale, shared]) yield* recordBlob({ groupId: a, ...blob, image: "alpine", source: "upstream" })
  yield* recordBlob({ groupId: b, ...shared, image: "alpine", source: "shared" })
  yield* recordManifest({ groupId: a, image: "alpine", tag: "3.19", digest: manifest.digest, mediaType: "application/vnd.oci.image.manifest.v1+json", size: manifest.size })
  return { a, b, read, stale, shared, manifest }
})

describe("TTL cleanup, with a controlled clock", () => {
  it.effect("expires entries not read for ttl days, keeps read ones and files another group uses", () =>
    Effect.gen(function*() {
      const w = yield* world
      yield* TestClock.adjust(10 * DAY)
      yield* recordBlobRead(w.a, w.read.digest, new Date(10 * DAY), 60 * 60 * 1000)
      yield* TestClock.adjust(25 * DAY)
      const result = yield* cleanup
      const state = yield* LiveView.pipe(Effect.flatMap((v) => v.current))
      expect(state.cachedBlobsOf(w.a).map((b) => b.digest)).toEqual([w.read.digest])
      expect(state.cachedManifestsOf(w.a)).toEqual([])
      expect(state.cachedBlobsOf(w.b).map((b) => b.digest)).toEqual([w.shared.digest])
      const store = yield* BlobStore
      expect(Option.isSome(yield* store.size(w.read.digest))).toBe(true)
      expect(Option.isSome(yield* store.size(w.shared.digest))).toBe(true)
      expect(Option.isNone(yield* store.size(w.stale.digest))).toBe(true)
      expect(Option.isNone(yield* store.size(w.manifest.digest))).toBe(true)
      expect(result).toEqual({ expired: 3, filesDeleted: 2 })
    }).pipe(Effect.provide(app())))

  it.effect("drops the entries a deleted group left behind, keeping files a live group still uses", () =>
    Effect.gen(function*() {
      const w = yield* world
      expect(yield* deleteGroup(w.b)).toEqual([w.b])
      const before = yield* LiveView.pipe(Effect.flatMap((v) => v.current))
      expect(before.cachedBlobsOf(w.b)).toHaveLength(1)
      expect(before.cachedGroupIds()).toEqual(new Set([w.a, w.b]))
      const result = yield* cleanup
      const state = yield* LiveView.pipe(Effect.flatMap((v) => v.current))
      expect(state.cachedBlobsOf(w.b)).toEqual([])
      expect(state.cachedBlobsOf(w.a)).toHaveLength(3)
      expect(Option.isSome(yield* (yield* BlobStore).size(w.shared.digest))).toBe(true)
      expect(result).toEqual({ expired: 1, filesDeleted: 0 })
    }).pipe(Effect.provide(app())))

  it.effect("leaves groups without a TTL policy alone", () =>
    Effect.gen(function*() {
      const w = yield* world
      yield* TestClock.adjust(400 * DAY)
      yield* cleanup
      const state = yield* LiveView.pipe(Effect.flatMap((v) => v.current))
      expect(state.cachedBlobsOf(w.b)).toHaveLength(1)
    }).pipe(Effect.provide(app())))

  it.effect("records at most one read per entry per interval, however many pulls", () =>
    Effect.gen(function*() {
      const w = yield* world
      const store = yield* EventStore
      const count = store.readAll(startOfLog, 1_000_000).pipe(Effect.map((events) => events.filter((e) => e.type === "BlobRead").length))
      yield* Effect.all(Array.from({ length: 50 }, () => recordBlobRead(w.a, w.read.digest, new Date(0), 60_000)), { concurrency: "unbounded" })
      expect(yield* count).toBe(1)
      yield* TestClock.adjust(30_000)
      for (let i = 0; i < 20; i++) yield* recordBlobRead(w.a, w.read.digest, new Date(30_000), 60_000)
      expect(yield* count).toBe(1)
      yield* recordBlobRead(w.a, w.read.digest, new Date(60_000), 60_000)
      expect(yield* count).toBe(2)
    }).pipe(Effect.provide(app())))

  it.effect("purge drops every entry of the group and deletes files no other group uses", () =>
    Effect.gen(function*() {
      const w = yield* world
      yield* purgeGroupCache(w.a)
      yield* TestClock.adjust(1 * DAY)
      yield* cleanup
      const state = yield* LiveView.pipe(Effect.flatMap((v) => v.current))
      expect(state.cachedBlobsOf(w.a)).toEqual([])
      expect(state.cachedManifestsOf(w.a)).toEqual([])
      const store = yield* BlobStore
      expect((yield* store.list).map((f) => f.digest)).toEqual([w.shared.digest])
    }).pipe(Effect.provide(app())))
})
