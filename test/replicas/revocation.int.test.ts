import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { freshDatabase, TestDatabaseUrl } from "../contract/postgresTestDatabase.js"
import { cli, json, startServer, tempDir } from "../support/processes.js"

const database = Layer.scoped(TestDatabaseUrl, freshDatabase)

/**
 * Three replicas on one Postgres and one data directory behave as one: a token revoked through another
 * process (here the CLI) is refused by every replica on its next request, not when its JWT expires. They
 * hear of the commit through Postgres LISTEN/NOTIFY.
 */
layer(database, { timeout: "600 seconds", excludeTestServices: true })("replicas", (it) => {
  it.scoped("a revoked token is refused by every replica on its next request", () =>
    Effect.gen(function*() {
      const dataDir = yield* Effect.promise(() => tempDir("dp-replicas-"))
      // Replicas sit behind one address: they share EXTERNAL_URL (the JWT issuer) as well as the database and data.
      const env = { DATABASE_URL: yield* TestDatabaseUrl, DATA_DIR: dataDir, INITIAL_ROOT_PASSWORD: "root-password", EXTERNAL_URL: "http://registry.test:5000" }
      const replicas = yield* Effect.acquireRelease(
        Effect.promise(() => Promise.all([startServer(env), startServer(env), startServer(env)])),
        (servers) => Effect.promise(() => Promise.all(servers.map((s) => s.stop())))
      )
      const admin = (...args: Array<string>) => Effect.promise(() => cli(["admin", ...args], env)).pipe(Effect.map(json))
      yield* admin("create-user", "--username", "alice", "--email", "a@example.com", "--password", "alice-password")
      const pat = (yield* admin("create-token", "--kind", "personal", "--user", "alice", "--scopes", "read_registry")) as { tokenId: number; token: string }

      const [first] = replicas
      if (first === undefined) throw new Error("no replica started")
      const auth = yield* Effect.promise(() =>
        fetch(`${first.url}/jwt/auth?service=dependency_proxy`, { headers: { authorization: `Basic ${Buffer.from(`alice:${pat.token}`).toString("base64")}` } })
      )
      expect(auth.status).toBe(200)
      const { token } = (yield* Effect.promise(() => auth.json())) as { token: string }
      const base = (url: string) => Effect.promise(() => fetch(`${url}/v2/`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status))
      // Every replica accepts the JWT (they share the signing keys in the data directory)…
      for (const replica of replicas) expect(yield* base(replica.url)).toBe(200)

      yield* admin("revoke-token", "--id", String(pat.tokenId))
      // …and every replica refuses it on the very next request after the revocation committed.
      for (const replica of replicas) expect(yield* base(replica.url)).toBe(401)
    }))
})
