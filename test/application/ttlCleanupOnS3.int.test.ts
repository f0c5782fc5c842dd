import { describe, expect, it } from "@effect/vitest"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, Option, TestClock } from "effect"
import { cleanup, purgeGroupCache, collectUnreferencedFiles } from "../../src/application/cache/cleanup.js"
import { recordBlob } from "../../src/application/cache/cacheEvents.js"
import { LiveView, LiveViewLayer } from "../../src/application/LiveView.js"
import { BlobStore } from "../../src/application/ports/BlobStore.js"
import { changeGroup, createGroup } from "../../src/application/useCases/groups.js"
import { createUser } from "../../src/application/useCases/users.js"
import * as S3BlobStore from "../../src/adapters/s3/S3BlobStore.js"
import { freshS3Location } from "../support/s3.js"
import { storeBlob } from "../support/storeBlob.js"
import { memoryApp } from "../support/testApp.js"

const DAY = 24 * 60 * 60 * 1000

/** The cache's services with blobs in a fresh bucket on the tests' radosgw. */
const app = () =>
  LiveViewLayer.pipe(Layer.provideMerge(Layer.merge(
    memoryApp(),
    Layer.unwrapEffect(Effect.promise(() => mkdtemp(join(tmpdir(), "dp-s3-spool-"))).pipe(
      Effect.map((spoolDir) => S3BlobStore.layer({ ...freshS3Location("ttl"), spoolDir, timeoutMs: 30_000 }))
    ))
  )))

const inBucket = (digest: string) => Effect.flatMap(BlobStore, (store) => store.size(digest)).pipe(Effect.map(Option.isSome))

/**
 * TTL cleanup and purge with blobs in S3: expired and purged entries' objects are deleted from the bucket, those
 * still referenced stay. The test clock starts at the real time (S3 stamps objects with it) and moves on from there.
 */
describe("TTL cleanup and purge on S3 (radosgw)", () => {
  it.effect("expires entries past the TTL and deletes their objects; purge drops a group's entries and their objects", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.now())
      const owner = yield* createUser({ username: "olga", email: "o@x.io", name: "O", password: "password-1", admin: false })
      const a = yield* createGroup({ path: "a", name: "A", parentId: null, ownerUserId: owner })
      const b = yield* createGroup({ path: "b", name: "B", parentId: null, ownerUserId: owner })
      yield* changeGroup(a, { _tag: "UpdateImageTtlPolicy", enabled: true, ttlDays: 30 })
      const stale = yield* storeBlob("never read again")
      const shared = yield* storeBlob("also cached by group b")
      const purged = yield* storeBlob("only group b has it")
      yield* recordBlob({ groupId: a, ...stale, image: "alpine", source: "upstream" })
      yield* recordBlob({ groupId: a, ...shared, image: "alpine", source: "upstream" })
      yield* recordBlob({ groupId: b, ...shared, image: "alpine", source: "shared" })
      yield* recordBlob({ groupId: b, ...purged, image: "alpine", source: "upstream" })

      yield* TestClock.adjust(31 * DAY)
      expect(yield* cleanup).toEqual({ expired: 2, filesDeleted: 1 })
      expect([yield* inBucket(stale.digest), yield* inBucket(shared.digest), yield* inBucket(purged.digest)]).toEqual([false, true, true])

      yield* purgeGroupCache(b)
      expect(yield* collectUnreferencedFiles).toBe(2)
      const state = yield* LiveView.pipe(Effect.flatMap((v) => v.current))
      expect(state.cachedBlobsOf(b)).toEqual([])
      expect(yield* Effect.flatMap(BlobStore, (store) => store.list)).toEqual([])
    }).pipe(Effect.provide(app())), { timeout: 120_000 })
})
