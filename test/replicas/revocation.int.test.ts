import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { PULLER, replicaCluster } from "../support/replicaCluster.js"

/**
 * Three replicas on one Postgres and one data directory behave as one: a token revoked through another
 * process (here the CLI) is refused by every replica on its next request, not when its JWT expires. They
 * hear of the commit through Postgres LISTEN/NOTIFY.
 */
describe("replicas", () => {
  it.scopedLive("a revoked token is refused by every replica on its next request", () =>
    Effect.gen(function*() {
      const cluster = yield* replicaCluster(yield* freshDatabase, null)
      const replicas = [cluster.first, yield* cluster.startReplica, yield* cluster.startReplica]
      const pat = (yield* cluster.admin("create-token", "--kind", "personal", "--user", PULLER.username, "--scopes", "read_registry")) as { tokenId: number; token: string }

      // Signed in at the first replica with the token just made through another process.
      const auth = yield* Effect.promise(() =>
        fetch(`${cluster.first.url}/jwt/auth?service=dependency_proxy`, { headers: { authorization: `Basic ${Buffer.from(`${PULLER.username}:${pat.token}`).toString("base64")}` } })
      )
      expect(auth.status).toBe(200)
      const { token } = (yield* Effect.promise(() => auth.json())) as { token: string }
      const base = (url: string) => Effect.promise(() => fetch(`${url}/v2/`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status))
      // Every replica accepts the JWT (they share the signing keys in the data directory)…
      for (const replica of replicas) expect(yield* base(replica.url)).toBe(200)

      yield* cluster.admin("revoke-token", "--id", String(pat.tokenId))
      // …and every replica refuses it on the very next request after the revocation committed.
      for (const replica of replicas) expect(yield* base(replica.url)).toBe(401)
    }), { timeout: 300_000 })
})
