import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Either, Layer } from "effect"
import { randomBytes } from "node:crypto"
import * as AesGcmSecretBox from "../../src/adapters/crypto/AesGcmSecretBox.js"
import { parseConfig } from "../../src/config.js"
import { sessionKey } from "../../src/composition/secrets.js"
import { migratedTestDatabase } from "../support/postgres/postgresTestDatabase.js"

/** The configuration of a replica with its own DATA_DIR, on Postgres. */
const replicaConfig = (dataDir: string, key: Buffer) =>
  Either.getOrThrow(parseConfig({ DATABASE_URL: "postgres://127.0.0.1/unused", DATA_DIR: dataDir, ENCRYPTION_KEY: key.toString("hex") }))

/**
 * With DATABASE_URL and ENCRYPTION_KEY the web UI's session key is sealed in the database (ADR 0024): replicas with separate
 * DATA_DIRs read one key, so a cookie signed by one is accepted by the other.
 */
describe("the session key sealed in Postgres", () => {
  it.scoped("two replicas with their own DATA_DIRs get the same key, and the row holds only ciphertext", () =>
    Effect.gen(function*() {
      const key = randomBytes(32)
      const box = AesGcmSecretBox.layer([key])
      const [a, b] = yield* Effect.all([
        sessionKey(replicaConfig("/nonexistent/a", key)).pipe(Effect.provide(box)),
        sessionKey(replicaConfig("/nonexistent/b", key)).pipe(Effect.provide(box))
      ], { concurrency: "unbounded" })
      expect(a.length).toBe(32)
      expect(b.equals(a)).toBe(true)
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ name: string; sealed: unknown }>`select name, sealed from instance_secrets`
      expect(rows.map((row) => row.name)).toEqual(["session-key"])
      expect(JSON.stringify(rows[0]?.sealed)).not.toContain(a.toString("hex"))
    }).pipe(Effect.provide(Layer.fresh(migratedTestDatabase))), { timeout: 30_000 })
})
