import { randomUUID } from "node:crypto"
import { Effect, Layer, Schema } from "effect"
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from "jose"
import {
  InvalidRegistryToken,
  type RegistryAccess,
  type RegistryClaims,
  RegistryTokens,
  type RegistryTokensShape
} from "../../application/ports/RegistryTokens.js"
import { cachedKeyRing } from "./cachedKeyRing.js"
import type { JwtKeyRingError, KeyShelf } from "./JwtKeyRing.js"

/** The registry service the tokens are for (the challenge's `service`). */
export const REGISTRY_AUDIENCE = "dependency_proxy"
const ALGORITHM = "ES256"
/** Clock skew allowed between replicas (and their clients) on `exp` and `nbf`: small, so an expired token dies. */
export const CLOCK_TOLERANCE_SECONDS = 5

export interface JoseRegistryTokensOptions {
  /** The signing keys' shelf: a directory (the embedded default) or the database, sealed (ADR 0024). */
  readonly keys: KeyShelf | string
  /** The external URL; tokens name it as `iss` and only tokens naming it verify. */
  readonly issuer: string
  readonly expirySeconds: number
  /** How long the in-memory key ring is trusted before the shelf is read again (default 60). */
  readonly refreshSeconds?: number
}

const Access = Schema.Struct({
  type: Schema.Literal("repository"),
  name: Schema.String,
  actions: Schema.Array(Schema.String)
})

const Payload = Schema.Struct({
  sub: Schema.String,
  iat: Schema.Number,
  exp: Schema.Number,
  jti: Schema.String,
  /** The credential version (absent in tokens issued before versions existed: 0). */
  ver: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  access: Schema.Array(Access)
})

const Header = Schema.Struct({ alg: Schema.String, kid: Schema.optional(Schema.String) })

// jose decodes base64url leniently (it skips whitespace and ignores the padding bits of a segment's last
// character), so one signed token has many spellings. Only the canonical one is accepted, which keeps a token
// string unique to its signature (safe to use as a cache or log key).
const isCanonical = (token: string): boolean => {
  const segments = token.split(".")
  // An empty signature is let through to be refused for its algorithm (`alg: none`) or as a bad signature.
  return segments.length === 3 && segments.every((s, i) =>
    (i === 2 || s.length > 0) && /^[A-Za-z0-9_-]*$/.test(s) && Buffer.from(s, "base64url").toString("base64url") === s
  )
}

const invalid = (reason: string) => new InvalidRegistryToken({ reason })

const reasonFor = (cause: unknown): string => {
  if (cause instanceof errors.JWTExpired) return "expired"
  if (cause instanceof errors.JWTClaimValidationFailed) {
    if (cause.reason === "missing") return `missing ${cause.claim}`
    if (cause.claim === "nbf") return "not yet valid"
    if (cause.claim === "aud") return "wrong audience"
    if (cause.claim === "iss") return "wrong issuer"
    return `invalid ${cause.claim}`
  }
  if (cause instanceof errors.JWSSignatureVerificationFailed) return "bad signature"
  if (cause instanceof errors.JOSEAlgNotAllowed) return "algorithm not allowed"
  // Everything else jose throws (JWSInvalid, JWTInvalid, TypeErrors from odd input) is a token we cannot read.
  return "malformed"
}

const headerOf = (token: string) =>
  Effect.try({ try: () => decodeProtectedHeader(token), catch: () => invalid("malformed") }).pipe(
    Effect.flatMap((header) => Schema.decodeUnknown(Header)(header)),
    Effect.mapError(() => invalid("malformed"))
  )

const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

/** Copies only the three members, so nothing a caller's object happens to carry ends up in a token. */
const plainAccess = (access: ReadonlyArray<RegistryAccess>) =>
  access.map(({ type, name, actions }) => ({ type, name, actions: [...actions] }))

const make = (options: JoseRegistryTokensOptions) =>
  Effect.gen(function*() {
    const refreshMs = (options.refreshSeconds ?? 60) * 1000
    const { keyFor, ringAt } = yield* cachedKeyRing(options.keys, refreshMs)

    const issue: RegistryTokensShape["issue"] = ({ subject, version }, access, now) =>
      Effect.gen(function*() {
        const key = (yield* ringAt(now)).signingKey
        const iat = seconds(now)
        const exp = iat + options.expirySeconds
        const jwtId = randomUUID()
        const entries = plainAccess(access)
        // Signing with a key we loaded ourselves fails only on a bug, so a rejection is a defect.
        const token = yield* Effect.promise(() =>
          new SignJWT({ access: entries, ver: version })
            .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: "JWT" })
            .setIssuer(options.issuer)
            .setAudience(REGISTRY_AUDIENCE)
            .setSubject(subject)
            .setIssuedAt(iat)
            .setNotBefore(iat)
            .setExpirationTime(exp)
            .setJti(jwtId)
            .sign(key.privateKey)
        )
        const claims: RegistryClaims = {
          subject,
          version,
          access: entries,
          issuedAt: new Date(iat * 1000),
          expiresAt: new Date(exp * 1000),
          jwtId
        }
        return { token, claims }
      })

    const verify: RegistryTokensShape["verify"] = (token, now) =>
      Effect.gen(function*() {
        if (!isCanonical(token)) return yield* invalid("malformed")
        const header = yield* headerOf(token)
        // Checked before the key lookup so `alg: none` and HS256 forgeries are named as such; jose checks again.
        if (header.alg !== ALGORITHM) return yield* invalid("algorithm not allowed")
        if (header.kid === undefined) return yield* invalid("unknown key")
        const key = yield* keyFor(header.kid, now)
        const { payload } = yield* Effect.tryPromise({
          try: () =>
            jwtVerify(token, key.publicKey, {
              algorithms: [ALGORITHM],
              audience: REGISTRY_AUDIENCE,
              issuer: options.issuer,
              clockTolerance: CLOCK_TOLERANCE_SECONDS,
              currentDate: now,
              requiredClaims: ["sub", "exp", "nbf", "iat", "jti"]
            }),
          catch: (cause) => invalid(reasonFor(cause))
        })
        const claims = yield* Schema.decodeUnknown(Payload)(payload).pipe(Effect.mapError(() => invalid("malformed")))
        const result: RegistryClaims = {
          subject: claims.sub,
          version: claims.ver,
          access: claims.access,
          issuedAt: new Date(claims.iat * 1000),
          expiresAt: new Date(claims.exp * 1000),
          jwtId: claims.jti
        }
        return result
      })

    return RegistryTokens.of({ issue, verify })
  })

/** ES256 registry tokens signed with the newest key in `keysDir`, verified against any key still there. */
export const layer = (options: JoseRegistryTokensOptions): Layer.Layer<RegistryTokens, JwtKeyRingError> =>
  Layer.effect(RegistryTokens, make(options))
