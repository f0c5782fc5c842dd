import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { calculateJwkThumbprint, exportJWK } from "jose"
import { loadOrCreate, rotate } from "../../../src/adapters/jwt/JwtKeyRing.js"

const T0 = Date.parse("2025-06-01T12:00:00Z")
const at = (seconds: number) => new Date(T0 + seconds * 1000)
const RETAIN = 24 * 3600 + 30

/** A fresh `<tmp>/jwt-keys` path (not yet created, as on first start), removed after the test. */
const keysDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "jwt-key-ring-"))),
  (root) => Effect.promise(() => rm(root, { recursive: true, force: true }))
).pipe(Effect.map((root) => join(root, "jwt-keys")), Effect.tap(() => TestClock.setTime(T0)))

const list = (dir: string) => Effect.promise(() => readdir(dir)).pipe(Effect.map((names) => [...names].sort()))
const modeOf = (path: string) => Effect.promise(() => stat(path)).pipe(Effect.map((s) => s.mode & 0o777))

describe("JwtKeyRing", () => {
  it.scoped("creates the directory (0700) and one key file (0600) with the private JWK and its creation time", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const ring = yield* loadOrCreate(dir)
      expect(yield* list(dir)).toEqual(["key-00000001.json"])
      expect(yield* modeOf(dir)).toBe(0o700)
      const file = join(dir, "key-00000001.json")
      expect(yield* modeOf(file)).toBe(0o600)
      const stored: unknown = JSON.parse(yield* Effect.promise(() => readFile(file, "utf8")))
      expect(stored).toEqual({
        kid: ring.signingKey.kid,
        createdAt: new Date(T0).toISOString(),
        privateJwk: { kty: "EC", crv: "P-256", x: expect.any(String), y: expect.any(String), d: expect.any(String) }
      })
      // The kid is the RFC 7638 thumbprint, so replicas and verifiers derive the same name from the key alone.
      const publicJwk = yield* Effect.promise(() => exportJWK(ring.signingKey.publicKey))
      expect(yield* Effect.promise(() => calculateJwkThumbprint(publicJwk))).toBe(ring.signingKey.kid)
      expect(ring.signingKey.createdAt).toEqual(new Date(T0))
    }))

  it.scoped("loads the same key on the next start", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const first = yield* loadOrCreate(dir)
      const again = yield* loadOrCreate(dir)
      expect(again.keys.map((k) => k.kid)).toEqual([first.signingKey.kid])
      expect(Option.map(again.verificationKey(first.signingKey.kid), (k) => k.kid)).toEqual(Option.some(first.signingKey.kid))
      expect(again.verificationKey("no-such-kid")).toEqual(Option.none())
    }))

  it.scoped("lets processes starting at once on an empty directory agree on exactly one key", () =>
    Effect.gen(function*() {
      for (let round = 0; round < 5; round++) {
        const dir = join(yield* keysDir, String(round))
        const rings = yield* Effect.all(Array.from({ length: 8 }, () => loadOrCreate(dir)), { concurrency: "unbounded" })
        expect(new Set(rings.map((r) => r.signingKey.kid)).size).toBe(1)
        // No key file beyond the winner's, and no temp file left behind by the losers.
        expect(yield* list(dir)).toEqual(["key-00000001.json"])
      }
    }))

  it.scoped("rotates to a new signing key and deletes a key only once it was superseded more than retainSeconds ago", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const original = (yield* loadOrCreate(dir)).signingKey.kid

      const first = yield* rotate(dir, at(3600), RETAIN)
      expect(first.deleted).toEqual([])
      const ring = yield* loadOrCreate(dir)
      expect(ring.signingKey.kid).toBe(first.kid)
      expect(ring.keys.map((k) => k.kid)).toEqual([first.kid, original])

      // Superseded at 3600 s: exactly RETAIN later it is kept, one second more and it goes.
      const second = yield* rotate(dir, at(3600 + RETAIN), RETAIN)
      expect(second.deleted).toEqual([])
      const third = yield* rotate(dir, at(3600 + RETAIN + 1), RETAIN)
      expect(third.deleted).toEqual([original])

      const after = yield* loadOrCreate(dir)
      expect(after.keys.map((k) => k.kid)).toEqual([third.kid, second.kid, first.kid])
      expect(after.verificationKey(original)).toEqual(Option.none())
      expect(yield* list(dir)).toEqual(["key-00000002.json", "key-00000003.json", "key-00000004.json"])
      for (const name of yield* list(dir)) expect(yield* modeOf(join(dir, name))).toBe(0o600)
    }))

  it.scoped("makes the new key the signing key even when an existing key was stamped by a clock running ahead", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const ahead = yield* rotate(dir, at(7200), RETAIN)
      const behind = yield* rotate(dir, at(60), RETAIN)
      const ring = yield* loadOrCreate(dir)
      expect(ring.signingKey.kid).toBe(behind.kid)
      expect(ring.keys.map((k) => k.kid)).toContain(ahead.kid)
    }))

  it.scoped("keeps both keys when two rotations race", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      yield* loadOrCreate(dir)
      const [a, b] = yield* Effect.all([rotate(dir, at(10), RETAIN), rotate(dir, at(10), RETAIN)], { concurrency: 2 })
      const ring = yield* loadOrCreate(dir)
      expect(ring.keys).toHaveLength(3)
      expect(ring.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([a.kid, b.kid]))
    }))

  it.scoped("ignores files that are not key files, such as a temp file left by a crash", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const ring = yield* loadOrCreate(dir)
      yield* Effect.promise(() => writeFile(join(dir, ".tmp-crashed"), "{\"half\":"))
      yield* Effect.promise(() => writeFile(join(dir, "README"), "keys"))
      expect((yield* loadOrCreate(dir)).keys.map((k) => k.kid)).toEqual([ring.signingKey.kid])
    }))

  it.scoped("reports a corrupt key file as a JwtKeyRingError naming it", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      yield* loadOrCreate(dir)
      yield* Effect.promise(() => writeFile(join(dir, "key-00000002.json"), "not json"))
      const error = yield* Effect.flip(loadOrCreate(dir))
      expect(error._tag).toBe("JwtKeyRingError")
      expect(error.message).toContain("key-00000002.json")
    }))

  it.scoped("refuses a key file whose kid is not its key's thumbprint", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      yield* loadOrCreate(dir)
      const path = join(dir, "key-00000001.json")
      const text = yield* Effect.promise(() => readFile(path, "utf8"))
      const edited = text.replace(/"kid":"[^"]+"/, "\"kid\":\"someone-elses-kid\"")
      expect(edited).not.toBe(text)
      yield* Effect.promise(() => writeFile(path, edited))
      expect((yield* Effect.flip(loadOrCreate(dir))).message).toContain("does not match")
    }))

  it.scoped("fails with a JwtKeyRingError, not a defect, when the directory cannot be created", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      yield* Effect.promise(() => writeFile(dir, "a file where the directory should be"))
      expect((yield* Effect.flip(loadOrCreate(dir)))._tag).toBe("JwtKeyRingError")
      expect((yield* Effect.flip(rotate(join(dir, "sub"), at(0), RETAIN)))._tag).toBe("JwtKeyRingError")
    }))

  it.scoped("refuses a negative retention rather than deleting the signing key's predecessors at once", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      expect((yield* Effect.flip(rotate(dir, at(0), -1)))._tag).toBe("JwtKeyRingError")
    }))
})
