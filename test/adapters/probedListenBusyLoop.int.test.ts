import * as PgClient from "@effect/sql-pg/PgClient"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Option, Ref, Schedule, Stream } from "effect"
import { pgLayer } from "../../src/adapters/sql/PostgresClient.js"
import { PROBE, probedListen } from "../../src/adapters/sql/probedListen.js"
import { migratedTestDatabase, TestDatabaseUrl } from "../support/postgres/postgresTestDatabase.js"

const CHANNEL = "probed_listen_busy_loop"

/** Holds the thread, as a replay's sort of half a million documents or an audit's comparison does, for `ms`. */
const busyFor = (ms: number) =>
  Effect.sync(() => {
    const until = Date.now() + ms
    let spins = 0
    while (Date.now() < until) spins += 1
    return spins
  })

layer(migratedTestDatabase, { excludeTestServices: true, timeout: "120 seconds" })("probedListen", (it) => {
  it.scoped("a process whose thread was busy longer than three probes keeps its LISTEN: the echoes were waiting unread, not lost", () =>
    Effect.gen(function*() {
      const pg = Context.get(yield* Layer.build(pgLayer(yield* TestDatabaseUrl)), PgClient.PgClient)
      const heard = yield* Ref.make(0)
      const listening = yield* Effect.forkScoped(Stream.runForEach(probedListen(pg, CHANNEL), (payload) => Ref.update(heard, (n) => (payload === PROBE ? n + 1 : n))))
      // The first echo: LISTEN is in place and the probes come back.
      yield* Ref.get(heard).pipe(Effect.repeat({ until: (n) => n > 0, schedule: Schedule.spaced("100 millis") }), Effect.timeout("30 seconds"))
      yield* busyFor(8_000)
      const before = yield* Ref.get(heard)
      // Two more echoes after the busy spell, with the stream still the same one.
      yield* Ref.get(heard).pipe(Effect.repeat({ until: (n) => n >= before + 2 || listening.unsafePoll() !== null, schedule: Schedule.spaced("100 millis") }), Effect.timeout("30 seconds"))
      expect(Option.isNone(yield* Fiber.poll(listening))).toBe(true)
    }))
})
