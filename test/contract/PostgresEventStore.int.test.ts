import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Context, Deferred, Effect, Fiber, Layer, Option } from "effect"
import { randomUUID } from "node:crypto"
import { migrate } from "../../src/adapters/sql/migrate.js"
import { pgLayer } from "../../src/adapters/sql/PostgresClient.js"
import * as SqlStore from "../../src/adapters/sql/SqlStore.js"
import * as SqlIdSequence from "../../src/adapters/sql/SqlIdSequence.js"
import {
  checkpointOf,
  EventStore,
  EventStoreUnavailable,
  type RecordedEvent,
  startOfLog,
  systemMetadata
} from "../../src/application/ports/EventStore.js"
import { ReadModels } from "../../src/application/ports/ReadModels.js"
import { eventStoreContract } from "./eventStoreContract.js"
import { idSequenceContract } from "./idSequenceContract.js"
import { migrationNames } from "../support/postgres/migrationNames.js"
import { freshDatabase, migratedTestDatabase, TestDatabaseUrl } from "../support/postgres/postgresTestDatabase.js"
import { testProjectorLayer } from "../support/testProjector.js"

eventStoreContract("SqlEventStore on Postgres", SqlStore.layer.pipe(Layer.provide(migratedTestDatabase)))
idSequenceContract("SqlIdSequence on Postgres", SqlIdSequence.layer.pipe(Layer.provide(migratedTestDatabase)))

const storeOn = (client: Layer.Layer<SqlClient.SqlClient, unknown>) =>
  SqlStore.layer.pipe(Layer.provide(client), Layer.provide(testProjectorLayer))

/** The checkpoint of the last event readers can see now. */
const endOfLog = (store: EventStore["Type"]) =>
  store.readAll(startOfLog, 1_000_000).pipe(
    Effect.map((events) => Option.match(Option.fromNullable(events.at(-1)), { onNone: () => startOfLog, onSome: checkpointOf }))
  )

const created = (streamId: string) => ({
  streamId,
  expectedVersion: 0,
  events: [{ type: "Created", schemaVersion: 1, payload: { streamId } }]
})

layer(storeOn(migratedTestDatabase).pipe(Layer.provideMerge(migratedTestDatabase)), {
  excludeTestServices: true,
  timeout: "120 seconds"
})("SqlEventStore on Postgres only", (it) => {
  it.scoped("readAll does not pass a position whose transaction is still in flight", () =>
    Effect.gen(function*() {
      const store = yield* EventStore
      // Different prefixes: the test projector's `prefix_total` row would otherwise make B wait for A's row lock.
      const streamA = `${randomUUID().slice(0, 8)}/a`
      const streamB = `${randomUUID().slice(0, 8)}/b`
      const start = yield* endOfLog(store)

      // A second pool and store, as another process would have: its transaction A stays open on purpose.
      const otherClient = pgLayer(yield* TestDatabaseUrl)
      const other = yield* Layer.build(storeOn(otherClient).pipe(Layer.provideMerge(otherClient)))
      const otherSql = Context.get(other, SqlClient.SqlClient)
      const otherStore = Context.get(other, EventStore)
      const appendedA = yield* Deferred.make<ReadonlyArray<RecordedEvent>>()
      const commitA = yield* Deferred.make<void>()
      const transactionA = yield* otherSql.withTransaction(
        Effect.gen(function*() {
          yield* Deferred.succeed(appendedA, yield* otherStore.append([created(streamA)], systemMetadata("a"), new Date()))
          yield* Deferred.await(commitA)
        })
      ).pipe(Effect.fork)
      const eventsA = yield* Deferred.await(appendedA).pipe(Effect.timeout("10 seconds"))

      // B takes a later position and commits while A is still open.
      const eventsB = yield* store.append([created(streamB)], systemMetadata("b"), new Date()).pipe(
        Effect.timeout("10 seconds")
      )
      expect(eventsB[0]!.globalPosition).toBeGreaterThan(eventsA[0]!.globalPosition)
      expect(yield* store.readStream(streamB)).toEqual(eventsB)
      expect(yield* store.readAll(start, 1_000)).toEqual([])

      yield* Deferred.succeed(commitA, undefined)
      yield* Fiber.join(transactionA)
      expect(yield* store.readAll(start, 1_000)).toEqual([...eventsA, ...eventsB])
    }))

  it.effect("text with quotes and backslashes is stored as given (appends send their arguments as literals)", () =>
    Effect.gen(function*() {
      const store = yield* EventStore
      const streamId = `${randomUUID().slice(0, 8)}/o'brien\\x`
      const text = "it's a \\ back'slash \" quote $$ E'\\n' \u00e9 ''"
      const appended = yield* store.append(
        [{ streamId, expectedVersion: 0, events: [{ type: "Created", schemaVersion: 1, payload: { text } }] }],
        systemMetadata("o'clock \\"),
        new Date()
      )
      expect(appended[0]?.payload).toEqual({ text })
      expect(yield* store.readStream(streamId)).toEqual(appended)
    }))

  it.scoped("a reader following the log while two processes append batches concurrently misses no event", () =>
    Effect.gen(function*() {
      const store = yield* EventStore
      const url = yield* TestDatabaseUrl
      const other = Context.get(yield* Layer.build(storeOn(pgLayer(url))), EventStore)
      const start = yield* endOfLog(store)
      const prefix = randomUUID().slice(0, 8)
      // Batches of three events on two streams each: a batch's inserts interleave with the other process's.
      const batch = (writer: string, i: number) => [
        { streamId: `${prefix}-${writer}/${i}-x`, expectedVersion: 0, events: [1, 2].map((n) => ({ type: "Created", schemaVersion: 1, payload: { n } })) },
        { streamId: `${prefix}-${writer}/${i}-y`, expectedVersion: 0, events: [{ type: "Created", schemaVersion: 1, payload: { n: 3 } }] }
      ]
      const writers = Effect.all(
        [store, other].map((s, w) =>
          Effect.forEach(Array.from({ length: 40 }, (_, i) => i), (i) => s.append(batch(String(w), i), systemMetadata("w"), new Date()), { concurrency: 4 })
        ),
        { concurrency: "unbounded" }
      )
      const total = 2 * 40 * 3
      // The follower reads from where it got to, as LiveView does, until it has every event.
      const follower = Effect.iterate({ checkpoint: start, seen: [] as Array<number> }, {
        while: (state) => state.seen.length < total,
        body: (state) =>
          store.readAll(state.checkpoint, 1_000).pipe(
            Effect.map((page) => ({
              checkpoint: Option.match(Option.fromNullable(page.at(-1)), { onNone: () => state.checkpoint, onSome: checkpointOf }),
              seen: [...state.seen, ...page.map((e) => e.globalPosition)]
            }))
          )
      })
      const [, followed] = yield* Effect.all([writers, follower.pipe(Effect.timeout("30 seconds"))], { concurrency: "unbounded" })
      const all = (yield* store.readAll(start, 10_000)).map((e) => e.globalPosition)
      expect(all).toHaveLength(total)
      expect(followed.seen).toEqual(all)
    }))

  it.scoped("a transaction left open in another database does not hold readers of this one back", () =>
    Effect.gen(function*() {
      const store = yield* EventStore
      const start = yield* endOfLog(store)
      // Another database on the same server, with a transaction that has taken an id and stays open: it is the
      // server's oldest (pg_snapshot_xmin), but it cannot write to this database's log.
      const elsewhere = pgLayer(yield* freshDatabase)
      const elsewhereSql = Context.get(yield* Layer.build(elsewhere), SqlClient.SqlClient)
      const opened = yield* Deferred.make<void>()
      const close = yield* Deferred.make<void>()
      const open = yield* elsewhereSql.withTransaction(
        elsewhereSql`select pg_current_xact_id()`.pipe(
          Effect.zipRight(Deferred.succeed(opened, undefined)),
          Effect.zipRight(Deferred.await(close))
        )
      ).pipe(Effect.fork)
      yield* Deferred.await(opened).pipe(Effect.timeout("10 seconds"))

      const appended = yield* store.append([created(`${randomUUID().slice(0, 8)}/seen`)], systemMetadata("t"), new Date())
      expect(yield* store.readAll(start, 1_000)).toEqual(appended)

      yield* Deferred.succeed(close, undefined)
      yield* Fiber.join(open)
    }))

  it.scoped("replay refuses a row that is not an event, trusted or verified, and leaves the read models as they were", () =>
    Effect.gen(function*() {
      const fresh = migratedTestDatabase.pipe(Layer.provide(Layer.scoped(TestDatabaseUrl, freshDatabase)))
      const context = yield* Layer.build(storeOn(fresh).pipe(Layer.provideMerge(fresh)))
      const sql = Context.get(context, SqlClient.SqlClient)
      const store = Context.get(context, EventStore)
      const models = Context.get(context, ReadModels)
      const [first] = yield* store.append([created("p/one"), created("p/two")], systemMetadata("t"), new Date())
      const before = yield* models.snapshot
      // jsonb holds any JSON; a payload that is not an object was never appended by the store.
      yield* sql`update events set payload = '[1, 2]'::jsonb where global_position = ${first!.globalPosition}`
      for (const verify of [false, true]) {
        const failure = yield* Effect.flip(models.rebuild({ verify }))
        expect(failure).toBeInstanceOf(EventStoreUnavailable)
        expect(failure.message).toContain("readModels.rebuild")
        expect(yield* models.snapshot).toEqual(before)
      }
    }))

  it.effect("a second migrate run applies nothing", () =>
    Effect.gen(function*() {
      expect(yield* migrate).toEqual([])
      const sql = yield* SqlClient.SqlClient
      expect(yield* sql`select name from schema_migrations order by name`).toEqual(migrationNames.map((name) => ({ name })))
    }))

  it.scoped("two processes migrating one database at once apply each migration once", () =>
    Effect.gen(function*() {
      const url = yield* freshDatabase
      const runs = yield* Effect.all(
        [migrate.pipe(Effect.provide(pgLayer(url))), migrate.pipe(Effect.provide(pgLayer(url)))],
        { concurrency: "unbounded" }
      )
      expect([...runs.flat()].sort()).toEqual(migrationNames)
    }))
})
