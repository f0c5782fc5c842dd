import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { randomBytes } from "node:crypto"
import { decodeProtectedHeader } from "jose"
import * as AesGcmSecretBox from "../../../src/adapters/crypto/AesGcmSecretBox.js"
import { layer } from "../../../src/adapters/jwt/JoseRegistryTokens.js"
import { loadOrCreate, rotate } from "../../../src/adapters/jwt/JwtKeyRing.js"
import { sealedKeyShelf } from "../../../src/adapters/jwt/sealedKeyShelf.js"
import { sealedSecrets } from "../../../src/adapters/sql/SealedSecrets.js"
import { RegistryTokens } from "../../../src/application/ports/RegistryTokens.js"
import { SecretBox } from "../../../src/application/ports/SecretBox.js"
import { migratedTestDatabase } from "../../support/postgres/postgresTestDatabase.js"

const NOW = new Date("2025-06-01T12:00:00Z")
const plus = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000)
const RETAIN = 24 * 3600 + 30 + 60
const ACCESS = [{ type: "repository", name: "acme/dependency_proxy/containers/alpine", actions: ["pull"] }] as const
const USER = { subject: "user:1", version: 0 }

/** The shelf a replica sealing with `key` sees on the test's database. */
const shelfWith = (key: Buffer) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const box = yield* SecretBox.pipe(Effect.provide(AesGcmSecretBox.layer([key])))
    return sealedKeyShelf(sealedSecrets(sql, box))
  })

/** A replica's registry tokens on the database's keys. */
const replicaTokens = (key: Buffer) =>
  Effect.flatMap(shelfWith(key), (keys) =>
    RegistryTokens.pipe(Effect.provide(layer({ keys, issuer: "https://registry.example.test", expirySeconds: 900 }))))

const kidOf = (token: string) => decodeProtectedHeader(token).kid

/**
 * JWT signing keys in Postgres, sealed with ENCRYPTION_KEY (ADR 0024): replicas that share only the database
 * agree on one ring, see each other's rotations, and nothing readable is stored.
 */
describe("JWT keys sealed in the database", () => {
  const withDatabase = Layer.fresh(migratedTestDatabase)

  it.scoped("replicas starting at once agree on one key, stored sealed (no private key in the row)", () =>
    Effect.gen(function*() {
      const key = randomBytes(32)
      const rings = yield* Effect.all(Array.from({ length: 4 }, () => Effect.flatMap(shelfWith(key), loadOrCreate)), { concurrency: "unbounded" })
      expect(new Set(rings.map((ring) => ring.signingKey.kid)).size).toBe(1)
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ name: string; sealed: unknown }>`select name, sealed from instance_secrets`
      expect(rows.map((row) => row.name)).toEqual(["jwt-key-00000001"])
      const stored = JSON.stringify(rows[0]?.sealed)
      expect(stored).toContain("ciphertext")
      expect(stored).not.toMatch(/"d"|privateJwk|kid/)
    }).pipe(Effect.provide(withDatabase)), { timeout: 30_000 })

  it.scoped("a rotation through one replica is used and verified by the other; superseded keys are deleted", () =>
    Effect.gen(function*() {
      const key = randomBytes(32)
      const [a, b] = yield* Effect.all([replicaTokens(key), replicaTokens(key)])
      const before = yield* a.issue(USER, ACCESS, NOW)
      expect(yield* b.verify(before.token, NOW)).toEqual(before.claims)

      const first = yield* rotate(yield* shelfWith(key), plus(NOW, 1), RETAIN)
      // B signs with the new key once its copy is over a minute old; A verifies it on a miss.
      const fromB = yield* b.issue(USER, ACCESS, plus(NOW, 120))
      expect(kidOf(fromB.token)).toBe(first.kid)
      expect(yield* a.verify(fromB.token, plus(NOW, 121))).toEqual(fromB.claims)
      expect(yield* b.verify(before.token, plus(NOW, 122))).toEqual(before.claims)

      const later = plus(NOW, 1 + RETAIN + 1)
      const second = yield* rotate(yield* shelfWith(key), later, RETAIN)
      expect(second.deleted).toEqual([kidOf(before.token)])
      expect((yield* Effect.flip(a.verify(before.token, later))).reason).toBe("unknown key")
      const sql = yield* SqlClient.SqlClient
      expect((yield* sql<{ name: string }>`select name from instance_secrets order by name`).map((r) => r.name))
        .toEqual(["jwt-key-00000002", "jwt-key-00000003"])
    }).pipe(Effect.provide(withDatabase)), { timeout: 30_000 })

  it.scoped("a replica with another ENCRYPTION_KEY fails to load, saying so, rather than minting keys of its own", () =>
    Effect.gen(function*() {
      yield* Effect.flatMap(shelfWith(randomBytes(32)), loadOrCreate)
      const error = yield* Effect.flip(Effect.flatMap(shelfWith(randomBytes(32)), loadOrCreate))
      expect(error._tag).toBe("JwtKeyRingError")
      expect(error.message).toContain("ENCRYPTION_KEY")
    }).pipe(Effect.provide(withDatabase)), { timeout: 30_000 })
})
