import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import * as SqlClient from "@effect/sql/SqlClient"
import * as AesGcmSecretBox from "../adapters/crypto/AesGcmSecretBox.js"
import { ensureDataDir, readOrCreateSecretFile } from "../adapters/filesystem/dataDir.js"
import * as JoseRegistryTokens from "../adapters/jwt/JoseRegistryTokens.js"
import { sealedKeyShelf } from "../adapters/jwt/sealedKeyShelf.js"
import { sealedSecrets } from "../adapters/sql/SealedSecrets.js"
import { SecretBox } from "../application/ports/SecretBox.js"
import type { Config } from "../config.js"
import { StartupError, startupError } from "./startupError.js"

/** The key that seals Docker Hub secrets: ENCRYPTION_KEY, or one generated once into DATA_DIR. */
export const secretBoxLayer = (config: Config) =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      if (config.encryptionKey !== null) return AesGcmSecretBox.layer([config.encryptionKey])
      const file = yield* readOrCreateSecretFile(join(config.dataDir, "encryption_key"), () => randomBytes(32).toString("hex"))
      return AesGcmSecretBox.layer([Buffer.from(file.value, "hex")])
    })
  )

const SESSION_KEY = "session-key"

/** The session key sealed in the database: the first replica to start stores one, every replica reads it back. */
const sealedSessionKey = Effect.gen(function*() {
  const secrets = yield* instanceSecrets
  yield* secrets.claim(SESSION_KEY, randomBytes(32).toString("hex"))
  const stored = (yield* secrets.list(SESSION_KEY)).find((secret) => secret.name === SESSION_KEY)
  if (stored === undefined || !/^(?:[0-9a-f]{2}){32,}$/i.test(stored.plaintext)) {
    return yield* new StartupError({ message: "session key: the database's instance secret session-key is missing or not hex" })
  }
  return Buffer.from(stored.plaintext, "hex")
}).pipe(Effect.mapError(startupError("session key")))

/**
 * Signs web UI session cookies. With DATABASE_URL and ENCRYPTION_KEY: sealed in the database (ADR 0024), so replicas that share only
 * Postgres accept each other's cookies; otherwise generated once into DATA_DIR (0600). Deleting it (the row or the
 * file) signs everyone out.
 */
export const sessionKey = (config: Config) =>
  secretsInDatabase(config) ? sealedSessionKey : sessionKeyFile(config)

const sessionKeyFile = (config: Config) => {
  const path = join(config.dataDir, "session_key")
  return ensureDataDir(config.dataDir).pipe(
    Effect.zipRight(readOrCreateSecretFile(path, () => randomBytes(32).toString("hex"))),
    Effect.mapError(startupError("session key")),
    Effect.filterOrFail(
      (file) => /^(?:[0-9a-f]{2}){32,}$/i.test(file.value),
      () => new StartupError({ message: `session key: ${path} must hold at least 64 hex digits` })
    ),
    Effect.map((file) => Buffer.from(file.value, "hex"))
  )
}

/**
 * Secrets every replica must share (JWT signing keys, the session key), sealed with ENCRYPTION_KEY in the
 * database when replicas can share one (ADR 0024): a replica then needs no shared DATA_DIR.
 */
const instanceSecrets = Effect.map(Effect.all([SqlClient.SqlClient, SecretBox]), ([sql, box]) => sealedSecrets(sql, box))

/**
 * Whether shared secrets live in the database: replicas share it, and ENCRYPTION_KEY is configured (a key generated
 * into one DATA_DIR could not open them on another replica). Required with S3 and Postgres (config.ts).
 */
const secretsInDatabase = (config: Config) => config.databaseUrl !== null && config.encryptionKey !== null

/**
 * Registry tokens signed with keys in the database (sealed) when `secretsInDatabase`, else under DATA_DIR/jwt-keys
 * as before.
 */
export const registryTokensLayer = (config: Config) => {
  const options = { issuer: config.externalUrl, expirySeconds: config.jwtExpirySeconds }
  return !secretsInDatabase(config)
    ? JoseRegistryTokens.layer({ ...options, keys: join(config.dataDir, "jwt-keys") })
    : Layer.unwrapEffect(Effect.map(instanceSecrets, (secrets) => JoseRegistryTokens.layer({ ...options, keys: sealedKeyShelf(secrets) })))
}

