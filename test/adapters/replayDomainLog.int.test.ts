import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Either, Layer, Option } from "effect"
import { createHash } from "node:crypto"
import * as PgliteClient from "../../src/adapters/pglite/PgliteClient.js"
import { migrate } from "../../src/adapters/sql/migrate.js"
import * as SqlStore from "../../src/adapters/sql/SqlStore.js"
import { EventStore, type StreamWrite, systemMetadata } from "../../src/application/ports/EventStore.js"
import { ReadModels } from "../../src/application/ports/ReadModels.js"
import { ProjectorLive } from "../../src/application/projectorLive.js"
import { encodeEvent } from "../../src/domain/eventCodec.js"
import { BlobStream, GroupStream, ManifestStream, type StreamType, streamId, TokenStream } from "../../src/domain/streams.js"
import { CacheKinds } from "../../src/domain/views.js"
import { migratedTestDatabase } from "../support/postgres/postgresTestDatabase.js"

/**
 * Replay (`ReadModels.rebuild`) with the domain's projector, on both SQL stores: what it derives from the log
 * must be exactly what the appends wrote, whether it trusts the stored rows (reading only the projector's
 * columns, `recorded_at` as epoch milliseconds) or checks every column, and in more rows than one insert chunk.
 */
const digestOf = (seed: string): string => `sha256:${createHash("sha256").update(seed).digest("hex")}`
const at = (second: number): Date => new Date(Date.UTC(2026, 0, 1) + second * 1000 + 123)

const write = <E extends { readonly _tag: string }, I>(
  stream: StreamType<E, I>,
  id: string,
  expectedVersion: number,
  events: ReadonlyArray<E>
): StreamWrite => ({
  streamId: id,
  expectedVersion,
  events: events.map((event) => Either.getOrThrow(encodeEvent(stream, event)))
})

const blobId = (n: number) => streamId(BlobStream.category, `1/${digestOf(`blob-${n}`)}`)

/** A group and a token, then `blobs` blobs cached and read and a few manifests, in appends of 500 streams. */
const appendLog = (blobs: number) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const append = (writes: ReadonlyArray<StreamWrite>, second: number) => store.append(writes, systemMetadata("test"), at(second))
    yield* append([
      write(GroupStream, streamId(GroupStream.category, 1), 0, [
        { _tag: "GroupCreated", groupId: 1, path: "g", name: "g", parentId: null, ancestorIds: [], fullPath: "g" },
        { _tag: "ManifestCheckIntervalChanged", seconds: 60 }
      ]),
      write(TokenStream, streamId(TokenStream.category, 1), 0, [{
        _tag: "TokenCreated", tokenId: 1, kind: "personal", name: "t", digest: "ab".repeat(32), scopes: ["read_registry"],
        expiresAt: null, userId: 1, groupId: null, username: null, accessLevel: null
      }])
    ], 0)
    for (let start = 0; start < blobs; start += 500) {
      const writes: Array<StreamWrite> = []
      for (let n = start; n < Math.min(blobs, start + 500); n++) {
        writes.push(write(BlobStream, blobId(n), 0, [
          { _tag: "BlobCached", groupId: 1, digest: digestOf(`blob-${n}`), size: n, image: `image-${n % 7}`, source: "upstream" },
          { _tag: "BlobRead", at: at(n) }
        ]))
      }
      yield* append(writes, start)
    }
    yield* append([
      write(ManifestStream, streamId(ManifestStream.category, "1/img"), 0, [
        { _tag: "ManifestCached", groupId: 1, image: "img", tag: "latest", digest: digestOf("m"), mediaType: "application/vnd.oci.image.manifest.v1+json", size: 10 },
        { _tag: "ManifestRead", tag: "latest", digest: digestOf("m"), at: at(7) }
      ]),
      write(TokenStream, streamId(TokenStream.category, 1), 1, [{ _tag: "TokenUsed", at: at(9) }]),
      write(BlobStream, blobId(0), 2, [{ _tag: "BlobForgotten", reason: "test" }])
    ], blobs)
  })

const createdAtOf = (kind: string, id: string) =>
  ReadModels.pipe(
    Effect.flatMap((models) => models.get(kind, id)),
    Effect.map(Option.map((doc) => doc["createdAt"]))
  )

const replayTests = (name: string, store: Layer.Layer<EventStore | ReadModels | SqlClient.SqlClient, unknown>) =>
  layer(store, { excludeTestServices: true, timeout: "300 seconds" })(name, (it) => {
    it.effect("derives exactly what the appends wrote, trusted and verified, in more rows than one insert chunk", () =>
      Effect.gen(function*() {
        yield* appendLog(3_000)
        const models = yield* ReadModels
        const before = yield* models.snapshot
        expect(before.length).toBeGreaterThan(3_000)
        expect(yield* models.rebuild()).toEqual({ events: 3 + 2 * 3_000 + 4, rows: before.length })
        expect(yield* models.snapshot).toEqual(before)
        expect((yield* models.rebuild({ verify: true })).rows).toEqual(before.length)
        expect(yield* models.snapshot).toEqual(before)
      }))

    it.effect("reads recorded_at as a verified replay does: rounded down to the millisecond, before 1970 too", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const models = yield* ReadModels
        // Timestamps with microseconds, as a row written outside the store may hold.
        yield* sql`update events set recorded_at = '1969-12-31 23:59:59.9995+00'
          where stream_id = ${blobId(1)} and stream_version = 1`
        yield* sql`update events set recorded_at = '2026-03-04 05:06:07.891999+00'
          where stream_id = ${blobId(2)} and stream_version = 1`
        yield* models.rebuild({ verify: true })
        const verified = yield* models.snapshot
        yield* models.rebuild()
        expect(yield* models.snapshot).toEqual(verified)
        const blob = (n: number) => `1/${digestOf(`blob-${n}`)}`
        expect(yield* createdAtOf(CacheKinds.blob, blob(1))).toEqual(Option.some("1969-12-31T23:59:59.999Z"))
        expect(yield* createdAtOf(CacheKinds.blob, blob(2))).toEqual(Option.some("2026-03-04T05:06:07.891Z"))
        expect(yield* createdAtOf(CacheKinds.blob, blob(3))).toEqual(Option.some(at(0).toISOString()))
      }))
  })

const domainStore = <E>(client: Layer.Layer<SqlClient.SqlClient, E>) =>
  SqlStore.layer.pipe(Layer.provide(ProjectorLive), Layer.provideMerge(client))

replayTests("replay of a domain log on Postgres", domainStore(migratedTestDatabase))
replayTests(
  "replay of a domain log on PGlite",
  domainStore(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(PgliteClient.layer({ dataDir: undefined }))))
)
