import { describe, expect, it } from "@effect/vitest"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Layer } from "effect"
import { CommandMetadata } from "../../src/application/CommandMetadata.js"
import { EventStore, systemMetadata } from "../../src/application/ports/EventStore.js"
import { allGroups } from "../../src/application/queries.js"
import { deleteGroup } from "../../src/application/useCases/deleteGroup.js"
import { createGroup } from "../../src/application/useCases/groups.js"
import { updateGroup } from "../../src/application/useCases/updateGroup.js"
import { createUser } from "../../src/application/useCases/users.js"
import { storeLayer } from "../../src/composition/storeLayer.js"
import { parseConfig } from "../../src/config.js"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { cryptoLayer, SETUP_ACTOR } from "../support/testApp.js"

const ROUNDS = 12

/** The application on a fresh Postgres database: appends from concurrent fibers really run at once there. */
const onPostgres = (url: string) =>
  Layer.unwrapEffect(Effect.promise(() => mkdtemp(join(tmpdir(), "dp-subgroups-"))).pipe(
    Effect.map((dataDir) => {
      const config = Either.getOrThrow(parseConfig({ DATABASE_URL: url, DATA_DIR: dataDir }))
      return Layer.mergeAll(storeLayer(config, "command"), cryptoLayer, Layer.succeed(CommandMetadata, systemMetadata(SETUP_ACTOR)))
    })
  ))

/**
 * The same store, each stream read `ms` slower (a busy database): the gap between a plan's read of the read
 * models and its reads of the streams widens, and a command that is not slowed fits in it.
 */
const slowStreamReads = (ms: number) => Effect.provideServiceEffect(
  EventStore,
  EventStore.pipe(Effect.map((store) => ({ ...store, readStream: (streamId: string) => store.readStream(streamId).pipe(Effect.delay(`${ms} millis`)) })))
)

/**
 * Subgroups created while their parent's path changes, or while it is deleted, in many rounds at once: every
 * subgroup ends under its parent's current path, and none outlives its parent. Before `SubgroupCreated` took
 * part in the parent's version check, a subgroup could keep the parent's old path, or live on under a deleted
 * one; before a path change expected the version its subgroups were listed at, a subgroup created between the
 * two reads kept the old path too (`slowChanges`: the change's stream reads are slowed, so it always is).
 */
const race = (slowChanges: boolean, depth: "child" | "grandchild" = "child") => Effect.gen(function*() {
  const owner = yield* createUser({ username: "olga", email: "o@x.io", name: "O", password: "password-1", admin: false })
  const parents = yield* Effect.forEach(Array.from({ length: ROUNDS }, (_, i) => i), (i) =>
    createGroup({ path: `p${i}`, name: `P${i}`, parentId: null, ownerUserId: owner }))
  // `grandchild`: the new subgroup goes under a subgroup of the group changed, two levels down.
  const under = yield* Effect.forEach(parents, (parentId) =>
    depth === "child" ? Effect.succeed(parentId) : createGroup({ path: "mid", name: "Mid", parentId, ownerUserId: owner }))
  yield* Effect.forEach(parents, (parentId, i) => {
    const change = i % 3 === 2 ? deleteGroup(parentId) : updateGroup(parentId, { path: `renamed${i}` })
    // Either may lose (a conflict it retries out of, or a parent gone): what stands afterwards must be consistent.
    return Effect.all([
      Effect.either(slowChanges ? change.pipe(slowStreamReads(300)) : change),
      Effect.either(createGroup({ path: "sub", name: "Sub", parentId: under[i] ?? parentId, ownerUserId: owner }))
    ], { concurrency: "unbounded" })
  }, { concurrency: "unbounded" })

  const groups = yield* allGroups
  const byId = new Map(groups.map((g) => [g.groupId, g]))
  const misplaced = groups
    .filter((g) => g.parentId !== null)
    .flatMap((g) => {
      const parent = g.parentId === null ? undefined : byId.get(g.parentId)
      return parent === undefined ? [`${g.fullPath} outlives its deleted parent`] : g.fullPath === `${parent.fullPath}/${g.path}` ? [] : [`${g.fullPath} is under ${parent.fullPath}`]
    })
  expect(misplaced).toEqual([])
  // Some subgroups were made at all: the rounds did race.
  expect(groups.filter((g) => g.parentId !== null).length).toBeGreaterThan(0)
})

// On Postgres only: the memory store runs one fiber's append to its end before another's, so the race never shows there.
/** Each creation appends to the parent's stream, so creations under one parent conflict: all must still succeed. */
const burst = Effect.gen(function*() {
  const owner = yield* createUser({ username: "olga", email: "o@x.io", name: "O", password: "password-1", admin: false })
  const parentId = yield* createGroup({ path: "p", name: "P", parentId: null, ownerUserId: owner })
  const results = yield* Effect.forEach(Array.from({ length: 30 }, (_, i) => i), (i) =>
    Effect.either(createGroup({ path: `s${i}`, name: `S${i}`, parentId, ownerUserId: owner })), { concurrency: "unbounded" })
  expect(results.filter(Either.isLeft).map((r) => r.left._tag)).toEqual([])
  expect((yield* allGroups).filter((g) => g.parentId === parentId)).toHaveLength(30)
})

// Live clock: conflicts beyond the first few are retried after a random pause.
describe("a subgroup created while its parent changes", () => {
  it.scopedLive("on Postgres", () => Effect.flatMap(freshDatabase, (url) => race(false).pipe(Effect.provide(onPostgres(url)))), { timeout: 120_000 })
  it.scopedLive("on Postgres, the changes' stream reads slowed so that every creation lands inside their plans", () =>
    Effect.flatMap(freshDatabase, (url) => race(true).pipe(Effect.provide(onPostgres(url)))), { timeout: 120_000 })
  it.scopedLive("the same, with the new subgroup two levels below the group changed", () =>
    Effect.flatMap(freshDatabase, (url) => race(true, "grandchild").pipe(Effect.provide(onPostgres(url)))), { timeout: 120_000 })
  it.scopedLive("thirty subgroups created at once under one parent all succeed", () =>
    Effect.flatMap(freshDatabase, (url) => burst.pipe(Effect.provide(onPostgres(url)))), { timeout: 120_000 })
})
