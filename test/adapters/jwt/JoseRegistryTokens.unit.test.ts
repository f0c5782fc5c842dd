import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, FastCheck, Layer } from "effect"
import {
  type CryptoKey,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT
} from "jose"
import { UNKNOWN_KID_REREAD_MS } from "../../../src/adapters/jwt/cachedKeyRing.js"
import { CLOCK_TOLERANCE_SECONDS, layer } from "../../../src/adapters/jwt/JoseRegistryTokens.js"
import { loadOrCreate, rotate } from "../../../src/adapters/jwt/JwtKeyRing.js"
import {
  type IssuedRegistryToken,
  type RegistryAccess,
  RegistryTokens,
  type RegistryTokensShape
} from "../../../src/application/ports/RegistryTokens.js"

const NOW = new Date("2025-06-01T12:00:00Z")
const plus = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000)
const ISSUER = "https://registry.example.test"
const EXPIRY = 900
const RETAIN = 24 * 3600 + 30 + 60
const ACCESS: ReadonlyArray<RegistryAccess> = [
  { type: "repository", name: "acme/dependency_proxy/containers/alpine", actions: ["pull"] },
  { type: "repository", name: "acme/dependency_proxy/containers/node", actions: ["pull", "push"] }
]

const keysDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "jose-registry-tokens-"))),
  (root) => Effect.promise(() => rm(root, { recursive: true, force: true }))
).pipe(Effect.map((root) => join(root, "jwt-keys")))

const tokensIn = (dir: string) =>
  RegistryTokens.pipe(Effect.provide(layer({ keys: dir, issuer: ISSUER, expirySeconds: EXPIRY })))

/** Why `verify` rejected; fails the test if it accepted, dies with the test on a defect. */
const rejection = (tokens: RegistryTokensShape, token: string, now: Date) =>
  Effect.flip(tokens.verify(token, now)).pipe(Effect.map((error) => error.reason))

const kidOf = (token: string) => decodeProtectedHeader(token).kid
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const decodeSegment = (token: string, index: number): unknown =>
  JSON.parse(Buffer.from(token.split(".")[index] ?? "", "base64url").toString("utf8"))

const validClaims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: ISSUER,
  aud: "dependency_proxy",
  sub: "user:1",
  iat: NOW.getTime() / 1000,
  nbf: NOW.getTime() / 1000,
  exp: NOW.getTime() / 1000 + EXPIRY,
  jti: "2b1d0c4e-7f4e-4a8e-9a43-0d7b0b3f9e11",
  access: [],
  ...overrides
})

const without = (claim: string): JWTPayload =>
  Object.fromEntries(Object.entries(validClaims()).filter(([name]) => name !== claim))

const sign = (payload: JWTPayload, header: JWTHeaderParameters, key: CryptoKey | Uint8Array) =>
  Effect.promise(() => new SignJWT(payload).setProtectedHeader(header).sign(key))

/** A token our own signing key signed, with whatever claims the test wants. */
const signedByUs = (dir: string, payload: JWTPayload) =>
  Effect.flatMap(loadOrCreate(dir), (ring) =>
    sign(payload, { alg: "ES256", kid: ring.signingKey.kid, typ: "JWT" }, ring.signingKey.privateKey))

describe("JoseRegistryTokens", () => {
  it.scoped("verifies what it issues, giving back the subject, access and times", () =>
    Effect.gen(function*() {
      const tokens = yield* tokensIn(yield* keysDir)
      const issued = yield* tokens.issue({ subject: "user:42", version: 3 }, ACCESS, new Date(NOW.getTime() + 987))
      expect(issued.claims).toEqual({
        subject: "user:42",
        version: 3,
        access: ACCESS,
        issuedAt: NOW,
        expiresAt: plus(NOW, EXPIRY),
        jwtId: expect.stringMatching(/^[0-9a-f-]{36}$/)
      })
      expect(yield* tokens.verify(issued.token, plus(NOW, 10))).toEqual(issued.claims)
    }))

  it.scoped("puts exactly the registry claims in the payload and alg, kid and typ in the header", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const tokens = yield* tokensIn(dir)
      // A caller's object carrying more than the three access members must not leak the rest into the token.
      const entry: RegistryAccess & { readonly secret: string } = {
        type: "repository",
        name: "acme/dependency_proxy/containers/alpine",
        actions: ["pull"],
        secret: "hunter2"
      }
      const { token, claims } = yield* tokens.issue({ subject: "deploy_token:7", version: 0 }, [entry], NOW)
      const iat = NOW.getTime() / 1000
      expect(decodeSegment(token, 1)).toStrictEqual({
        iss: ISSUER,
        aud: "dependency_proxy",
        sub: "deploy_token:7",
        iat,
        nbf: iat,
        exp: iat + EXPIRY,
        jti: claims.jwtId,
        ver: 0,
        access: [{ type: "repository", name: "acme/dependency_proxy/containers/alpine", actions: ["pull"] }]
      })
      expect(token).not.toContain(Buffer.from("hunter2").toString("base64url").slice(0, 6))
      expect(decodeSegment(token, 0)).toStrictEqual({ alg: "ES256", kid: (yield* loadOrCreate(dir)).signingKey.kid, typ: "JWT" })
    }))

  it.scoped("allows 5 seconds of clock skew at both ends and no more", () =>
    Effect.gen(function*() {
      const tokens = yield* tokensIn(yield* keysDir)
      const { token, claims } = yield* tokens.issue({ subject: "user:1", version: 0 }, ACCESS, NOW)
      expect(CLOCK_TOLERANCE_SECONDS).toBe(5)
      expect(yield* tokens.verify(token, plus(NOW, EXPIRY + 4))).toEqual(claims)
      expect(yield* tokens.verify(token, plus(NOW, -4))).toEqual(claims)
      expect(yield* rejection(tokens, token, plus(NOW, EXPIRY + 6))).toBe("expired")
      expect(yield* rejection(tokens, token, plus(NOW, -6))).toBe("not yet valid")
    }))

  it.scoped("rejects tokens with our signature but the wrong audience, issuer or claims", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const tokens = yield* tokensIn(dir)
      const cases: ReadonlyArray<readonly [JWTPayload, string]> = [
        [validClaims({ aud: "gitlab" }), "wrong audience"],
        [validClaims({ aud: ["gitlab", "other"] }), "wrong audience"],
        [validClaims({ iss: "https://elsewhere.example.test" }), "wrong issuer"],
        [without("jti"), "missing jti"],
        [without("nbf"), "missing nbf"],
        [without("sub"), "missing sub"],
        [without("exp"), "missing exp"],
        [without("iat"), "missing iat"],
        [validClaims({ access: "everything" }), "malformed"],
        [validClaims({ access: [{ type: "registry", name: "catalog", actions: ["*"] }] }), "malformed"],
        [without("access"), "malformed"]
      ]
      for (const [payload, reason] of cases) {
        expect(yield* rejection(tokens, yield* signedByUs(dir, payload), NOW)).toBe(reason)
      }
      // The control: the same construction with nothing wrong verifies.
      expect((yield* tokens.verify(yield* signedByUs(dir, validClaims()), NOW)).subject).toBe("user:1")
    }))

  it.scoped("rejects an unsigned (alg: none) token, with or without our kid", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const tokens = yield* tokensIn(dir)
      const kid = (yield* loadOrCreate(dir)).signingKey.kid
      for (const header of [{ alg: "none" }, { alg: "none", kid }, { alg: "None", kid, typ: "JWT" }]) {
        const token = `${segment(header)}.${segment(validClaims())}.`
        expect(yield* rejection(tokens, token, NOW)).toBe("algorithm not allowed")
      }
    }))

  it.scoped("rejects a token signed by a foreign ES256 key that claims our kid", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const tokens = yield* tokensIn(dir)
      const kid = (yield* loadOrCreate(dir)).signingKey.kid
      const foreign = yield* Effect.promise(() => generateKeyPair("ES256"))
      const token = yield* sign(validClaims(), { alg: "ES256", kid, typ: "JWT" }, foreign.privateKey)
      expect(yield* rejection(tokens, token, NOW)).toBe("bad signature")
    }))

  it.scoped("rejects HS256 tokens keyed with our public key's bytes (algorithm confusion)", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const tokens = yield* tokensIn(dir)
      const { kid, publicKey } = (yield* loadOrCreate(dir)).signingKey
      const pem = yield* Effect.promise(() => exportSPKI(publicKey))
      const jwk = yield* Effect.promise(() => exportJWK(publicKey))
      for (const secret of [pem, JSON.stringify(jwk), JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y })]) {
        const token = yield* sign(validClaims(), { alg: "HS256", kid, typ: "JWT" }, new TextEncoder().encode(secret))
        expect(yield* rejection(tokens, token, NOW)).toBe("algorithm not allowed")
      }
    }))

  it.scoped("rejects garbage, the empty string and near-JWTs as malformed or unknown, never as a defect", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const tokens = yield* tokensIn(dir)
      const { token } = yield* tokens.issue({ subject: "user:1", version: 0 }, ACCESS, NOW)
      const [header = "", payload = "", signature = ""] = token.split(".")
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["", "malformed"],
        ["garbage", "malformed"],
        ["a.b.c", "malformed"],
        ["..", "malformed"],
        [`${header}.${payload}`, "malformed"],
        [`${header}.${payload}.${signature}.`, "malformed"],
        [`${header}.${payload}.${signature}.x.y`, "malformed"],
        [`${header}..${signature}`, "malformed"],
        [`${header}.${payload}.`, "bad signature"],
        [`${header}.${payload}.${signature}=`, "malformed"],
        [`${header}.${payload}.${signature.replaceAll("-", "+").replaceAll("_", "/")}x`, "malformed"],
        [`${header}.${segment([1, 2])}.${signature}`, "bad signature"],
        [`${segment("ES256")}.${payload}.${signature}`, "malformed"],
        [`${segment({ alg: "ES256" })}.${payload}.${signature}`, "unknown key"],
        [`${segment({ alg: "ES256", kid: 7 })}.${payload}.${signature}`, "malformed"],
        [`${segment({ alg: "ES256", kid: "A".repeat(43) })}.${payload}.${signature}`, "unknown key"],
        [`${segment({ alg: "ES256", kid: "__proto__" })}.${payload}.${signature}`, "unknown key"],
        [`Bearer ${token}`, "malformed"],
        [` ${token}`, "malformed"],
        [`${token} `, "malformed"],
        [`${token}\n`, "malformed"],
        [`${token.slice(0, 40)} ${token.slice(40)}`, "malformed"],
        [`${token.slice(0, -10)}\t${token.slice(-10)}`, "malformed"]
      ]
      for (const [input, reason] of cases) {
        expect([input, yield* rejection(tokens, input, NOW)]).toEqual([input, reason])
      }
    }))

  it.scoped("keeps verifying tokens signed before a rotation and forgets the old key once retention has passed", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const tokens = yield* tokensIn(dir)
      const before = yield* tokens.issue({ subject: "user:1", version: 0 }, ACCESS, NOW)
      const oldKid = kidOf(before.token)

      const first = yield* rotate(dir, plus(NOW, 10), RETAIN)
      expect(first.deleted).toEqual([])
      // A running instance re-reads the directory once its copy is over a minute old, so it signs with the new key.
      const after = yield* tokens.issue({ subject: "user:1", version: 0 }, ACCESS, plus(NOW, 120))
      expect(kidOf(after.token)).toBe(first.kid)
      expect(first.kid).not.toBe(oldKid)
      expect(yield* tokens.verify(before.token, plus(NOW, 130))).toEqual(before.claims)

      const retained = plus(NOW, 10 + RETAIN + 1)
      const second = yield* rotate(dir, retained, RETAIN)
      expect(second.deleted).toEqual([oldKid])
      expect(yield* rejection(tokens, before.token, retained)).toBe("unknown key")
      // The key that signed `after` was superseded only now and is kept: its token fails for its age, not its key.
      expect(yield* rejection(tokens, after.token, retained)).toBe("expired")
      const late = yield* tokens.issue({ subject: "user:1", version: 0 }, ACCESS, retained)
      expect(kidOf(late.token)).toBe(second.kid)
      expect(yield* tokens.verify(late.token, retained)).toEqual(late.claims)
    }))

  it.scoped("verifies, in another replica, tokens signed with a key created after that replica loaded (re-read on miss)", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const replica = yield* tokensIn(dir)
      // Used once before the rotation, so its copy of the directory is fresh and only a miss can make it re-read.
      const early = yield* (yield* tokensIn(dir)).issue({ subject: "user:1", version: 0 }, ACCESS, NOW)
      expect(yield* replica.verify(early.token, NOW)).toEqual(early.claims)

      const { kid } = yield* rotate(dir, plus(NOW, 1), RETAIN)
      const fresh = yield* (yield* tokensIn(dir)).issue({ subject: "user:2", version: 0 }, ACCESS, plus(NOW, 2))
      expect(kidOf(fresh.token)).toBe(kid)
      expect(yield* replica.verify(fresh.token, plus(NOW, 3))).toEqual(fresh.claims)
      // The re-read also moved its signing key forward.
      expect(kidOf((yield* replica.issue({ subject: "user:3", version: 0 }, ACCESS, plus(NOW, 4))).token)).toBe(kid)
    }))

  it.scoped("re-reads its keys for unknown kids at most once in a while, so made-up kids cannot make every check wait on re-reads", () =>
    Effect.gen(function*() {
      const dir = yield* keysDir
      const replica = yield* tokensIn(dir)
      expect(yield* replica.verify((yield* (yield* tokensIn(dir)).issue({ subject: "user:1", version: 0 }, ACCESS, NOW)).token, NOW)).toBeDefined()
      // Unsigned, with a kid of the shape a real one has: it makes the replica re-read, and is refused.
      const madeUp = `${segment({ alg: "ES256", kid: "A".repeat(43), typ: "JWT" })}.${segment(validClaims())}.`
      expect(yield* rejection(replica, madeUp, plus(NOW, 1))).toBe("unknown key")

      const { kid } = yield* rotate(dir, plus(NOW, 1), RETAIN)
      const fresh = yield* (yield* tokensIn(dir)).issue({ subject: "user:2", version: 0 }, ACCESS, plus(NOW, 2))
      expect(kidOf(fresh.token)).toBe(kid)
      // Within the interval the new key is not looked for: the made-up kid's re-read was the last one allowed.
      expect(yield* rejection(replica, fresh.token, plus(NOW, 3))).toBe("unknown key")
      // After it, the first token with the new kid finds it.
      expect(yield* replica.verify(fresh.token, new Date(NOW.getTime() + 1_000 + UNKNOWN_KID_REREAD_MS))).toEqual(fresh.claims)
    }))
})

/** One issued token and the service that issued it, shared by the property tests. */
class Issued extends Context.Tag("test/Issued")<Issued, { readonly tokens: RegistryTokensShape; readonly issued: IssuedRegistryToken }>() {}

const IssuedLive = Layer.scoped(
  Issued,
  Effect.gen(function*() {
    const tokens = yield* tokensIn(yield* keysDir)
    return { tokens, issued: yield* tokens.issue({ subject: "user:1", version: 0 }, ACCESS, NOW) }
  })
)

const BASE64URL = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"]
const BYTES = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b))

const replaceAt = (text: string, position: number, replacement: string) =>
  text.slice(0, position) + replacement + text.slice(position + 1)

/** Fails unless the exit is a plain InvalidRegistryToken failure (a defect or any other error fails). */
const expectRejected = (exit: Exit.Exit<unknown, { readonly _tag: string }>) => {
  expect(Exit.isFailure(exit) && Cause.isFailType(exit.cause) ? exit.cause.error._tag : exit).toBe("InvalidRegistryToken")
}

describe("JoseRegistryTokens under tampering", () => {
  it.layer(IssuedLive)((it) => {
    it.effect.prop(
      "never accepts a token with any one character changed",
      { position: FastCheck.nat(), alphabet: FastCheck.boolean(), pick: FastCheck.nat() },
      ({ alphabet, pick, position }) =>
        Effect.gen(function*() {
          const { issued, tokens } = yield* Issued
          const at = position % issued.token.length
          const original = issued.token[at]
          const candidates = (alphabet ? BASE64URL : BYTES).filter((c) => c !== original)
          const mutated = replaceAt(issued.token, at, candidates[pick % candidates.length] ?? "")
          expect(mutated).not.toBe(issued.token)
          // Even a change that decodes to the same bytes (the padding bits of a segment's last character) is
          // refused: only the canonical spelling verifies. Success, a defect or another error all fail here.
          expectRejected(yield* Effect.exit(tokens.verify(mutated, NOW)))
        }),
      { fastCheck: { numRuns: 500 } }
    )

    it.effect("refuses the 15 other spellings of the signature's last character that decode to the same bytes", () =>
      Effect.gen(function*() {
        const { issued, tokens } = yield* Issued
        const last = issued.token.length - 1
        // 64 signature bytes fill 85 characters and 2 bits of the 86th; its 4 low bits are padding.
        const sameBytes = BASE64URL.filter((c) => {
          const spelled = replaceAt(issued.token, last, c).split(".")[2] ?? ""
          return Buffer.from(spelled, "base64url").equals(Buffer.from(issued.token.split(".")[2] ?? "", "base64url"))
        })
        expect(sameBytes).toHaveLength(16)
        for (const c of sameBytes.filter((c) => c !== issued.token[last])) {
          expect(yield* rejection(tokens, replaceAt(issued.token, last, c), NOW)).toBe("malformed")
        }
        expect(yield* tokens.verify(issued.token, NOW)).toEqual(issued.claims)
      }))

    it.effect.prop(
      "answers any string with InvalidRegistryToken, never a defect",
      [FastCheck.oneof(
        FastCheck.string({ unit: "binary", maxLength: 400 }),
        FastCheck.tuple(
          FastCheck.record({
            alg: FastCheck.constantFrom("ES256", "none", "HS256", "RS256", "ES384"),
            kid: FastCheck.oneof(FastCheck.constant("A".repeat(43)), FastCheck.string()),
            crit: FastCheck.array(FastCheck.string(), { maxLength: 2 }),
            b64: FastCheck.boolean()
          }, { requiredKeys: [] }),
          FastCheck.jsonValue(),
          FastCheck.uint8Array({ maxLength: 80 })
        ).map(([header, payload, signature]) =>
          `${segment(header)}.${segment(payload)}.${Buffer.from(signature).toString("base64url")}`)
      )],
      ([input]) =>
        Effect.gen(function*() {
          const { tokens } = yield* Issued
          expectRejected(yield* Effect.exit(tokens.verify(input, NOW)))
        }),
      { fastCheck: { numRuns: 300 } }
    )

    it.effect("also rejects the issued token's header and payload with a forged signature of the right length", () =>
      Effect.gen(function*() {
        const { issued, tokens } = yield* Issued
        const [header = "", payload = ""] = issued.token.split(".")
        const forged = `${header}.${payload}.${Buffer.alloc(64, 1).toString("base64url")}`
        expect(yield* rejection(tokens, forged, NOW)).toBe("bad signature")
      }))
  })
})
