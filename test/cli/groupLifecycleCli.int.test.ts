import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { freshDatabase, TestDatabaseUrl } from "../support/postgres/postgresTestDatabase.js"
import { cli, json, tempDir } from "../support/processes.js"

const database = Layer.scoped(TestDatabaseUrl, freshDatabase)

/** `admin update-group` and `admin delete-group`, as an operator runs them: a group renamed and moved, then deleted. */
layer(database, { timeout: "300 seconds", excludeTestServices: true })("changing and deleting groups from the command line", (it) => {
  it.effect("update-group moves the subgroups with the path; bad input and a non-Owner exit 2 with one line; delete-group takes the subtree", () =>
    Effect.gen(function*() {
      const env = { DATABASE_URL: yield* TestDatabaseUrl, DATA_DIR: yield* Effect.promise(() => tempDir("dp-groups-cli-")) }
      const run = (...args: Array<string>) => Effect.promise(() => cli(args, env))
      const admin = (...args: Array<string>) => run("admin", ...args).pipe(Effect.map(json))
      const paths = admin("list-groups").pipe(Effect.map((groups) => (groups as ReadonlyArray<{ full_path: string }>).map((g) => g.full_path)))

      yield* admin("create-user", "--username", "olga", "--email", "olga@example.com", "--password", "olga-password")
      yield* admin("create-user", "--username", "pavel", "--email", "pavel@example.com", "--password", "pavel-password")
      yield* admin("create-group", "--path", "acme", "--owner", "olga")
      yield* admin("create-group", "--path", "team", "--parent", "acme", "--owner", "olga")

      expect(yield* admin("update-group", "--group", "acme", "--path", "acme-corp", "--name", "Acme Corp", "--description", "build images", "--as", "olga"))
        .toEqual({ id: 1, full_path: "acme-corp" })
      expect(yield* paths).toEqual(["acme-corp", "acme-corp/team"])

      const nothing = yield* run("admin", "update-group", "--group", "acme-corp")
      expect([nothing.code, nothing.stderr.trim()]).toEqual([2, "dependency-proxy: update-group needs --name, --path or --description"])
      const invalid = yield* run("admin", "update-group", "--group", "acme-corp", "--path", "bad path!", "--as", "olga")
      expect(invalid.code).toBe(2)
      expect(invalid.stderr.trim().split("\n")).toHaveLength(1)
      expect(invalid.stderr).toContain("path")
      const notOwner = yield* run("admin", "update-group", "--group", "acme-corp", "--name", "Mine", "--as", "pavel")
      expect(notOwner.code).toBe(2)
      expect(notOwner.stderr.trim().split("\n")).toHaveLength(1)
      const refusedDelete = yield* run("admin", "delete-group", "--group", "acme-corp", "--as", "pavel")
      expect(refusedDelete.code).toBe(2)
      expect(yield* paths).toEqual(["acme-corp", "acme-corp/team"])

      expect(yield* admin("delete-group", "--group", "acme-corp", "--as", "olga")).toEqual({ deleted_group_ids: [1, 2] })
      expect(yield* paths).toEqual([])
      const missing = yield* run("admin", "delete-group", "--group", "acme-corp")
      expect([missing.code, missing.stderr.trim().split("\n").length]).toEqual([2, 1])

      // Every change is in the log, whole: the read models replayed from it are the live ones.
      expect(yield* run("audit", "verify").pipe(Effect.map(json))).toMatchObject({ ok: true })
    }), { timeout: 300_000 })
})
