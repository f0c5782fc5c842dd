import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseConfig } from "../../src/config.js"

const errorOf = (env: Record<string, string>) => {
  const result = parseConfig(env)
  return Either.isLeft(result) ? result.left : undefined
}

describe("configuration", () => {
  it("has embedded defaults: PGlite under ./data, Docker Hub upstream, proxy on, 15-minute JWTs", () => {
    const config = Either.getOrThrow(parseConfig({}))
    expect(config).toMatchObject({
      port: 5000,
      dataDir: "./data",
      databaseUrl: null,
      upstreamUrl: "https://registry-1.docker.io",
      jwtExpirySeconds: 900,
      dependencyProxyEnabled: true,
      encryptionKey: null,
      logLevel: "info",
      externalUrl: "http://localhost:5000",
      cleanupIntervalSeconds: 86400,
      shutdownTimeoutSeconds: 25,
      upstream: { revalidationBudgetMs: 2_000, breakerFailures: 5, breakerCooldownMs: 15_000, breakerSlowCallMs: 3_000, notFoundTtlMs: 60_000 },
      blobStorage: { kind: "filesystem" }
    })
  })

  it("reads every variable", () => {
    const config = Either.getOrThrow(parseConfig({
      PORT: "8443",
      HOST: "127.0.0.1",
      EXTERNAL_URL: "https://proxy.example.com/",
      DATA_DIR: "/var/lib/dp",
      DATABASE_URL: "postgres://u@db/dp",
      UPSTREAM_URL: "http://127.0.0.1:5001",
      JWT_EXPIRY: "1h",
      DEPENDENCY_PROXY_ENABLED: "false",
      ENCRYPTION_KEY: "ab".repeat(32),
      LOG_LEVEL: "DEBUG",
      CLEANUP_INTERVAL: "12h",
      SHUTDOWN_TIMEOUT: "90s",
      UPSTREAM_REVALIDATION_BUDGET: "1500ms",
      UPSTREAM_BREAKER_FAILURES: "0",
      UPSTREAM_BREAKER_COOLDOWN: "2m",
      UPSTREAM_BREAKER_SLOW_CALL: "2.5",
      UPSTREAM_NOT_FOUND_TTL: "0"
    }))
    expect(config).toMatchObject({
      port: 8443,
      host: "127.0.0.1",
      externalUrl: "https://proxy.example.com",
      dataDir: "/var/lib/dp",
      databaseUrl: "postgres://u@db/dp",
      upstreamUrl: "http://127.0.0.1:5001",
      jwtExpirySeconds: 3600,
      dependencyProxyEnabled: false,
      logLevel: "debug",
      cleanupIntervalSeconds: 43200,
      shutdownTimeoutSeconds: 90,
      upstream: { revalidationBudgetMs: 1_500, breakerFailures: 0, breakerCooldownMs: 120_000, breakerSlowCallMs: 2_500, notFoundTtlMs: 0 }
    })
    expect(config.encryptionKey?.toString("hex")).toBe("ab".repeat(32))
  })

  it.each([
    [{ PORT: "http" }, "PORT", "PORT must be an integer from 1 to 65535 (got \"http\")"],
    [{ PORT: "70000" }, "PORT", "PORT must be an integer from 1 to 65535 (got \"70000\")"],
    [{ EXTERNAL_URL: "proxy.example.com" }, "EXTERNAL_URL", "EXTERNAL_URL must be an absolute http or https URL (got \"proxy.example.com\")"],
    [{ UPSTREAM_URL: "ftp://x" }, "UPSTREAM_URL", "UPSTREAM_URL must be an http or https URL (got \"ftp://x\")"],
    [{ JWT_EXPIRY: "5s" }, "JWT_EXPIRY", "JWT_EXPIRY must be a duration from 60s to 24h, like 900, 15m or 1h (got \"5s\")"],
    [{ DEPENDENCY_PROXY_ENABLED: "maybe" }, "DEPENDENCY_PROXY_ENABLED", "DEPENDENCY_PROXY_ENABLED must be true or false (got \"maybe\")"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL", "DATABASE_URL must be a postgres:// or postgresql:// URL"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace (got \"loud\")"],
    [{ CLEANUP_INTERVAL: "5s" }, "CLEANUP_INTERVAL", "CLEANUP_INTERVAL must be a duration from 60s to 30d, like 3600, 12h or 1d (got \"5s\")"],
    [{ SHUTDOWN_TIMEOUT: "0" }, "SHUTDOWN_TIMEOUT", "SHUTDOWN_TIMEOUT must be a duration from 1s to 1h, like 25, 90s or 5m (got \"0\")"],
    [{ INITIAL_ROOT_PASSWORD: "short" }, "INITIAL_ROOT_PASSWORD", "INITIAL_ROOT_PASSWORD must be at least 8 characters"],
    [{ UPSTREAM_REVALIDATION_BUDGET: "50ms" }, "UPSTREAM_REVALIDATION_BUDGET", "UPSTREAM_REVALIDATION_BUDGET must be a duration from 100ms to 30s, like 2s or 1500ms (got \"50ms\")"],
    [{ UPSTREAM_REVALIDATION_BUDGET: "soon" }, "UPSTREAM_REVALIDATION_BUDGET", "UPSTREAM_REVALIDATION_BUDGET must be a duration from 100ms to 30s, like 2s or 1500ms (got \"soon\")"],
    [{ UPSTREAM_BREAKER_FAILURES: "-1" }, "UPSTREAM_BREAKER_FAILURES", "UPSTREAM_BREAKER_FAILURES must be an integer from 0 to 1000 (got \"-1\")"],
    [{ UPSTREAM_BREAKER_FAILURES: "2.5" }, "UPSTREAM_BREAKER_FAILURES", "UPSTREAM_BREAKER_FAILURES must be an integer from 0 to 1000 (got \"2.5\")"],
    [{ UPSTREAM_BREAKER_COOLDOWN: "500ms" }, "UPSTREAM_BREAKER_COOLDOWN", "UPSTREAM_BREAKER_COOLDOWN must be a duration from 1s to 1h, like 15s or 2m (got \"500ms\")"],
    [{ UPSTREAM_BREAKER_SLOW_CALL: "3 s" }, "UPSTREAM_BREAKER_SLOW_CALL", "UPSTREAM_BREAKER_SLOW_CALL must be a duration from 100ms to 120s, like 3s or 2500ms (got \"3 s\")"],
    [{ UPSTREAM_NOT_FOUND_TTL: "2h" }, "UPSTREAM_NOT_FOUND_TTL", "UPSTREAM_NOT_FOUND_TTL must be a duration from 0 (off) to 1h, like 60s or 5m (got \"2h\")"]
  ])("rejects %j naming %s", (env, variable, message) => {
    expect(errorOf(env)).toMatchObject({ variable, message })
  })

  it("never echoes a bad ENCRYPTION_KEY, which is a secret", () => {
    const error = errorOf({ ENCRYPTION_KEY: "not-a-key-but-secret" })
    expect(error?.variable).toBe("ENCRYPTION_KEY")
    expect(error?.message).not.toContain("not-a-key-but-secret")
  })

  describe("blobs in S3 (BLOB_STORAGE=s3)", () => {
    const s3 = {
      BLOB_STORAGE: "s3",
      S3_ENDPOINT: "http://127.0.0.1:7480/",
      S3_BUCKET: "registry-blobs",
      S3_ACCESS_KEY_ID: "AKID",
      S3_SECRET_ACCESS_KEY: "a-very-secret-key"
    }

    it("reads the bucket's settings, with us-east-1, virtual-hosted addressing and 30 s timeouts by default", () => {
      expect(Either.getOrThrow(parseConfig(s3)).blobStorage).toEqual({
        kind: "s3",
        endpoint: "http://127.0.0.1:7480",
        bucket: "registry-blobs",
        region: "us-east-1",
        accessKeyId: "AKID",
        secretAccessKey: "a-very-secret-key",
        forcePathStyle: false,
        timeoutMs: 30_000,
        redirect: false
      })
      expect(Either.getOrThrow(parseConfig({ ...s3, S3_REGION: "eu-west-1", S3_FORCE_PATH_STYLE: "true", S3_TIMEOUT: "5s", S3_REDIRECT: "true" })).blobStorage)
        .toMatchObject({ region: "eu-west-1", forcePathStyle: true, timeoutMs: 5_000, redirect: true })
    })

    it.each([
      [{ ...s3, BLOB_STORAGE: "nfs" }, "BLOB_STORAGE", "BLOB_STORAGE must be filesystem or s3 (got \"nfs\")"],
      [{ ...s3, S3_ENDPOINT: "" }, "S3_ENDPOINT", "S3_ENDPOINT must be set when BLOB_STORAGE=s3"],
      [{ ...s3, S3_ENDPOINT: "ftp://x" }, "S3_ENDPOINT", "S3_ENDPOINT must be an http or https URL (got \"ftp://x\")"],
      [{ ...s3, S3_BUCKET: "" }, "S3_BUCKET", "S3_BUCKET must be set when BLOB_STORAGE=s3"],
      [{ ...s3, S3_BUCKET: "Bad_Bucket" }, "S3_BUCKET", "S3_BUCKET must be an S3 bucket name (3–63 of a-z 0-9 . -) (got \"Bad_Bucket\")"],
      [{ ...s3, S3_ACCESS_KEY_ID: "" }, "S3_ACCESS_KEY_ID", "S3_ACCESS_KEY_ID must be set when BLOB_STORAGE=s3"],
      [{ ...s3, S3_SECRET_ACCESS_KEY: "" }, "S3_SECRET_ACCESS_KEY", "S3_SECRET_ACCESS_KEY must be set when BLOB_STORAGE=s3"],
      [{ ...s3, S3_FORCE_PATH_STYLE: "maybe" }, "S3_FORCE_PATH_STYLE", "S3_FORCE_PATH_STYLE must be true or false (got \"maybe\")"],
      [{ ...s3, S3_TIMEOUT: "0s" }, "S3_TIMEOUT", "S3_TIMEOUT must be a duration from 1s to 10m, like 30s (got \"0s\")"],
      [{ ...s3, S3_REDIRECT: "sometimes" }, "S3_REDIRECT", "S3_REDIRECT must be true or false (got \"sometimes\")"],
      [
        { ...s3, DATABASE_URL: "postgres://db/registry" },
        "ENCRYPTION_KEY",
        "ENCRYPTION_KEY must be set when BLOB_STORAGE=s3 and DATABASE_URL are: replicas share no DATA_DIR to keep one in"
      ]
    ])("rejects %j naming %s", (env, variable, message) => {
      expect(errorOf(env)).toMatchObject({ variable, message })
    })

    it("never echoes the secret access key, whatever else is wrong", () => {
      for (const env of [{ ...s3, S3_BUCKET: "Bad_Bucket" }, { ...s3, S3_TIMEOUT: "x" }, { ...s3, BLOB_STORAGE: "bogus" }]) {
        expect(JSON.stringify(errorOf(env))).not.toContain("a-very-secret-key")
      }
    })

    it("takes replicas on S3 with ENCRYPTION_KEY: what seals their shared keys in the database is configuration", () => {
      const key = "ab".repeat(32)
      expect(Either.getOrThrow(parseConfig({ ...s3, DATABASE_URL: "postgres://db/registry", ENCRYPTION_KEY: key })).encryptionKey)
        .toEqual(Buffer.from(key, "hex"))
    })

    it("takes PEER_URL as an origin, by default this host and PORT; a path, query or credentials name the variable", () => {
      expect(Either.getOrThrow(parseConfig({ PORT: "5001", HOST: "10.0.0.7" })).peerUrl).toBe("http://10.0.0.7:5001")
      expect(Either.getOrThrow(parseConfig({ PEER_URL: "https://replica-1.internal:5000/" })).peerUrl).toBe("https://replica-1.internal:5000")
      for (const bad of ["http://replica-1:5000/proxy", "http://replica-1:5000/?a=b", "http://u:p@replica-1:5000", "ftp://replica-1", "replica-1:5000"]) {
        expect(errorOf({ PEER_URL: bad })?.variable).toBe("PEER_URL")
      }
    })

    it("ignores the S3 variables when blobs stay on the filesystem", () => {
      expect(Either.getOrThrow(parseConfig({ S3_BUCKET: "Bad_Bucket" })).blobStorage).toEqual({ kind: "filesystem" })
    })
  })
})
