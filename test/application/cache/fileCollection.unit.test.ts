import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Ref, TestClock } from "effect"
import { recordBlob } from "../../../src/application/cache/cacheEvents.js"
import { COLLECTION_GRACE_MS, collectUnreferencedFiles, collectUnreferencedFilesSoon } from "../../../src/application/cache/cleanup.js"
import { createGroup } from "../../../src/application/useCases/groups.js"
import { createUser } from "../../../src/application/useCases/users.js"
import type { CommandMetadata } from "../../../src/application/CommandMetadata.js"
import { LiveViewLayer } from "../../../src/application/LiveView.js"
import type { EventStore } from "../../../src/application/ports/EventStore.js"
import { BlobStore, BlobStoreError } from "../../../src/application/ports/BlobStore.js"
import * as MemoryBlobStore from "../../../src/adapters/memory/MemoryBlobStore.js"
import { storeBlob } from "../../support/storeBlob.js"
import { memoryApp } from "../../support/testApp.js"

/**
 * The real memory store, its listing (where a scan starts) counted and, while `gate` is set, held until the test
 * lets it go: a stand-in for a bucket of a million files, whose scan takes minutes.
 */
const watchedStore = Effect.gen(function*() {
  const scans = yield* Ref.make(0)
  const gate = yield* Ref.make<Option.Option<Deferred.Deferred<void>>>(Option.none())
  const failNext = yield* Ref.make(false)
  const store = yield* BlobStore
  const list = Effect.gen(function*() {
    yield* Ref.update(scans, (n) => n + 1)
    const held = yield* Ref.get(gate)
    if (Option.isSome(held)) yield* Deferred.await(held.value)
    if (yield* Ref.getAndSet(failNext, false)) return yield* new BlobStoreError({ message: "the bucket did not answer" })
    return yield* store.list
  })
  return { scans, gate, failNext, layer: Layer.succeed(BlobStore, { ...store, list }) }
})

const app = Layer.merge(memoryApp(), MemoryBlobStore.layer)

describe("collecting unreferenced files", () => {
  it.effect("keeps a file that a pull re-used for a new entry while the store was being listed", () =>
    Effect.gen(function*() {
      const owner = yield* createUser({ username: "olga", email: "o@x.io", name: "O", password: "password-1", admin: false })
      const groupId = yield* createGroup({ path: "acme", name: "Acme", parentId: null, ownerUserId: owner })
      const orphan = yield* storeBlob("no entry points at me")
      const reused = yield* storeBlob("cached long ago, purged, pulled again")
      yield* TestClock.adjust(COLLECTION_GRACE_MS + 1)
      const store = yield* BlobStore
      const services = yield* Effect.context<EventStore | CommandMetadata>()
      // The listing of a large bucket takes minutes; a pull lands in the middle of it.
      const list = store.list.pipe(Effect.tap(() => recordBlob({ groupId, ...reused, image: "alpine", source: "shared" }).pipe(Effect.provide(services), Effect.orDie)))
      const deleted = yield* collectUnreferencedFiles.pipe(
        Effect.provide(LiveViewLayer),
        Effect.provideService(BlobStore, { ...store, list })
      )
      expect(deleted).toBe(1)
      expect((yield* store.list).map((f) => f.digest)).toEqual([reused.digest])
      expect(orphan.digest).not.toBe(reused.digest)
    }).pipe(Effect.provide(app)))
})

describe("collecting files after purges", () => {
  it.effect("while a scan runs, more asks return at once and make one scan more, not one each", () =>
    Effect.gen(function*() {
      const watched = yield* watchedStore
      const release = yield* Deferred.make<void>()
      yield* Ref.set(watched.gate, Option.some(release))
      const collect = collectUnreferencedFilesSoon.pipe(Effect.provide(LiveViewLayer.pipe(Layer.provideMerge(watched.layer))))

      const first = yield* Effect.fork(collect)
      yield* Ref.get(watched.scans).pipe(Effect.repeat({ until: (n) => n === 1 }))
      const asked = yield* Effect.all(Array.from({ length: 5 }, () => collect))
      expect(asked).toEqual(Array(5).fill(Option.none()))
      yield* Ref.set(watched.gate, Option.none())
      yield* Deferred.succeed(release, undefined)
      expect(yield* Fiber.join(first)).toEqual(Option.some(0))
      expect(yield* Ref.get(watched.scans)).toBe(2)

      // Idle again: the next ask scans itself.
      expect(yield* collect).toEqual(Option.some(0))
      expect(yield* Ref.get(watched.scans)).toBe(3)
    }).pipe(Effect.provide(app)))

  it.effect("a scan that fails leaves collection idle: the next ask scans", () =>
    Effect.gen(function*() {
      const watched = yield* watchedStore
      const collect = collectUnreferencedFilesSoon.pipe(Effect.provide(LiveViewLayer.pipe(Layer.provideMerge(watched.layer))))
      yield* Ref.set(watched.failNext, true)
      const failed = yield* Effect.either(collect)
      expect(failed._tag).toBe("Left")
      expect(yield* collect).toEqual(Option.some(0))
      expect(yield* Ref.get(watched.scans)).toBe(2)
    }).pipe(Effect.provide(app)))
})
