import { SqlClient, type SqlError } from "@effect/sql"
import { expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Schedule, Scope } from "effect"
import { ClusterLeases, type ClusterLeasesShape } from "../../src/application/ports/ClusterLeases.js"
import { pgLayer } from "../../src/adapters/sql/PostgresClient.js"
import * as PostgresAdvisoryLeases from "../../src/adapters/sql/PostgresAdvisoryLeases.js"
import { ADMIN_URL, freshDatabase } from "../support/postgres/postgresTestDatabase.js"

/** A replica's leases: its own pool on the shared database, ended by `end` (the process exiting). */
const leasesOf = (url: string) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(PostgresAdvisoryLeases.layer.pipe(Layer.provide(pgLayer(url))), scope)
    return { leases: yield* Effect.provide(ClusterLeases, context), end: Scope.close(scope, Exit.void) }
  })

/** Asks until granted, for at most five seconds: a closed connection's session ends a moment later. */
const eventuallyTaken = (replica: { readonly leases: ClusterLeasesShape }, key: string) =>
  replica.leases.tryTake(key).pipe(
    Effect.filterOrFail(Option.isSome, () => "still held"),
    Effect.retry(Schedule.intersect(Schedule.spaced("50 millis"), Schedule.recurs(100))),
    Effect.orElseSucceed(() => Option.none())
  )

it.scopedLive("a lease is held by one replica at a time, and is free again once released or once its holder is gone", () =>
  Effect.gen(function*() {
    const url = yield* freshDatabase
    const a = yield* leasesOf(url)
    const b = yield* leasesOf(url)
    const c = yield* leasesOf(url)
    yield* Effect.addFinalizer(() => Effect.all([a.end, b.end, c.end]))

    const taken = yield* a.leases.tryTake("blob:sha256:aa")
    expect(Option.isSome(taken)).toBe(true)
    expect(Option.isNone(yield* b.leases.tryTake("blob:sha256:aa"))).toBe(true)
    // Other keys are independent.
    const other = yield* b.leases.tryTake("blob:sha256:bb")
    expect(Option.isSome(other)).toBe(true)

    yield* Option.getOrThrow(taken)
    const afterRelease = yield* b.leases.tryTake("blob:sha256:aa")
    expect(Option.isSome(afterRelease)).toBe(true)
    expect(Option.isNone(yield* c.leases.tryTake("blob:sha256:aa"))).toBe(true)

    // The holder's process ends without releasing: once Postgres has ended its session, the lease is free.
    yield* b.end
    expect(Option.isSome(yield* eventuallyTaken(c, "blob:sha256:aa"))).toBe(true)
    expect(Option.isSome(yield* c.leases.tryTake("blob:sha256:bb"))).toBe(true)
    expect(Option.isNone(yield* a.leases.tryTake("blob:sha256:bb"))).toBe(true)
  }), { timeout: 60_000 })

/** Ends every session on `url`'s database (as a Postgres restart would), or stops or allows new ones. */
const sessions = (url: string, action: "terminate" | "refuse" | "allow") => {
  const database = new URL(url).pathname.slice(1)
  return Effect.flatMap(SqlClient.SqlClient, (sql): Effect.Effect<unknown, SqlError.SqlError> =>
    action === "terminate"
      ? sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`.pipe(
        // pg_terminate_backend only signals: wait until the sessions are gone, as they are after a restart.
        Effect.zipRight(
          sql<{ readonly n: number }>`select count(*)::int as n from pg_stat_activity where datname = ${database} and backend_type = 'client backend'`.pipe(
            Effect.repeat({ until: (rows) => rows[0]?.n === 0, schedule: Schedule.spaced("20 millis") })
          )
        )
      )
      : sql.unsafe(`alter database ${database} allow_connections ${action === "allow" ? "true" : "false"}`)
  ).pipe(Effect.asVoid, Effect.provide(pgLayer(ADMIN_URL)), Effect.orDie)
}

it.scopedLive("after a restart ends the lease connections, leases are asked for again on new ones", () =>
  Effect.gen(function*() {
    const url = yield* freshDatabase
    const a = yield* leasesOf(url)
    const b = yield* leasesOf(url)
    yield* Effect.addFinalizer(() => Effect.all([a.end, b.end]))
    expect(Option.isSome(yield* a.leases.tryTake("cleanup"))).toBe(true)
    yield* sessions(url, "terminate")
    // The lock died with a's session; b's question fails on its dead connection and is asked again.
    expect(Option.isSome(yield* b.leases.tryTake("cleanup"))).toBe(true)
    expect(Option.isNone(yield* a.leases.tryTake("cleanup"))).toBe(true)
  }), { timeout: 60_000 })

it.scopedLive("a lease is granted, not refused, when the database cannot be asked at all", () =>
  Effect.gen(function*() {
    const url = yield* freshDatabase
    const a = yield* leasesOf(url)
    const b = yield* leasesOf(url)
    yield* Effect.addFinalizer(() => Effect.all([a.end, b.end, sessions(url, "allow")]))
    expect(Option.isSome(yield* a.leases.tryTake("cleanup"))).toBe(true)
    yield* sessions(url, "refuse")
    yield* sessions(url, "terminate")
    expect(Option.isSome(yield* b.leases.tryTake("cleanup"))).toBe(true)
  }), { timeout: 60_000 })
