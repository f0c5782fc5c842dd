import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { pgLayer } from "../../src/adapters/sql/PostgresClient.js"
import { freshDatabase, TestDatabaseUrl } from "../support/postgres/postgresTestDatabase.js"
import { cli, json, startServer, tempDir } from "../support/processes.js"

const database = Layer.scoped(TestDatabaseUrl, freshDatabase)

const run = (args: ReadonlyArray<string>, env: Record<string, string>) => Effect.promise(() => cli(args, env))

layer(database, { timeout: "600 seconds", excludeTestServices: true })("the CLI on Postgres", (it) => {
  it.effect("serve migrates on start; audit history, state --at and verify work through the CLI", () =>
    Effect.gen(function*() {
      const url = yield* TestDatabaseUrl
      const env = { DATABASE_URL: url, DATA_DIR: yield* Effect.promise(() => tempDir("dp-pg-")), INITIAL_ROOT_PASSWORD: "root-password" }

      const server = yield* Effect.promise(() => startServer(env))
      expect((yield* Effect.promise(() => fetch(`${server.url}/-/readiness`))).status).toBe(200)
      expect(yield* Effect.promise(() => server.stop())).toBe(0)

      const admin = (...args: Array<string>) => run(["admin", ...args], env).pipe(Effect.map(json))
      yield* admin("create-user", "--username", "olga", "--email", "olga@example.com", "--password", "olga-password")
      yield* admin("create-user", "--username", "pavel", "--email", "pavel@example.com", "--password", "pavel-password")
      yield* admin("create-group", "--path", "audited", "--owner", "olga")
      yield* admin("add-member", "--group", "audited", "--user", "pavel", "--access-level", "owner")
      yield* admin("update-settings", "--group", "audited", "--enabled", "false", "--as", "olga")
      yield* admin("update-settings", "--group", "audited", "--identity", "hub-user", "--secret", "hub-secret-value", "--as", "pavel")
      yield* admin("update-settings", "--group", "audited", "--ttl-enabled", "true", "--ttl", "30", "--as", "root")

      const history = json(yield* run(["audit", "history", "--group", "audited"], env))
      expect(history).toEqual([
        expect.objectContaining({ actor: "user:2", setting: "enabled", from: "true", to: "false" }),
        expect.objectContaining({ actor: "user:3", setting: "identity", from: null, to: "hub-user" }),
        expect.objectContaining({ actor: "user:3", setting: "secret", from: null, to: "changed" }),
        expect.objectContaining({ actor: "user:1", setting: "ttl_policy.enabled", from: "false", to: "true" }),
        expect.objectContaining({ actor: "user:1", setting: "ttl_policy.ttl", from: "90", to: "30" })
      ])
      const historyText = JSON.stringify(history)
      expect(historyText).not.toContain("hub-secret-value")

      // A moment between the first and second change: the proxy is off, no credentials yet.
      const [, second] = history as ReadonlyArray<{ position: number }>
      const between = json(yield* run(["audit", "state", "--group", "audited", "--at", String((second?.position ?? 0) - 1)], env))
      expect(between).toMatchObject({
        group: { fullPath: "audited", settings: { enabled: false, identity: null, secretSet: false } },
        members: [{ username: "olga", accessLevel: 50 }, { username: "pavel", accessLevel: 50 }]
      })

      const verified = json(yield* run(["audit", "verify"], env))
      expect(verified).toMatchObject({ ok: true, chainBreak: null })
      // Replay, trusting the payloads or checking each again, derives the read models the appends wrote.
      const events = typeof verified === "object" && verified !== null && "events" in verified ? verified.events : undefined
      expect(events).toBeGreaterThan(0)
      expect(json(yield* run(["replay"], env))).toMatchObject({ events })
      expect(json(yield* run(["replay", "--verify"], env))).toMatchObject({ events })
      expect(json(yield* run(["audit", "verify"], env))).toMatchObject({ ok: true, projectionDifference: null })
      // Someone with database access rewrites who turned the proxy off.
      yield* SqlClient.SqlClient.pipe(
        Effect.flatMap((sql) =>
          sql`update events set metadata = jsonb_set(metadata, '{actor}', '"user:99"') where event_type = 'DependencyProxySettingChanged'`
        ),
        Effect.provide(pgLayer(url))
      )
      const verify = yield* run(["audit", "verify"], env)
      expect(verify.code).toBe(1)
      expect(JSON.parse(verify.stdout)).toMatchObject({
        ok: false,
        chainBreak: { streamId: "group-1", reason: "stored hash does not match the event's contents" }
      })
      // Fourteen process starts: slow on a loaded 2-core machine.
    }), 300_000)
})
