import { Array as Arr, Clock, Effect, Option, Order, Schema } from "effect"
import { calculateJwkThumbprint, type CryptoKey, exportJWK, generateKeyPair, importJWK } from "jose"
import { keyDirectory } from "./keyDirectory.js"
import { attempt, JwtKeyRingError, type KeyShelf } from "./keyShelf.js"

export { JwtKeyRingError, type KeyShelf } from "./keyShelf.js"

/** One ES256 signing key. `kid` is its RFC 7638 thumbprint, so every replica names it the same way. */
export interface JwtKey {
  readonly kid: string
  readonly createdAt: Date
  /** The number in its name on the shelf; only breaks ties between equal `createdAt`s. */
  readonly generation: number
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
}

export interface JwtKeyRing {
  /** Newest first. */
  readonly keys: Arr.NonEmptyReadonlyArray<JwtKey>
  /** The newest key: the one new tokens are signed with. */
  readonly signingKey: JwtKey
  readonly verificationKey: (kid: string) => Option.Option<JwtKey>
}

export interface Rotation {
  readonly kid: string
  readonly deleted: ReadonlyArray<string>
}

const EcPrivateJwk = Schema.Struct({
  kty: Schema.Literal("EC"),
  crv: Schema.Literal("P-256"),
  x: Schema.String,
  y: Schema.String,
  d: Schema.String
})
type EcPrivateJwk = typeof EcPrivateJwk.Type

const KeyFile = Schema.parseJson(Schema.Struct({ kid: Schema.String, createdAt: Schema.Date, privateJwk: EcPrivateJwk }))
type KeyFile = typeof KeyFile.Type

const newestFirst: Order.Order<JwtKey> = Order.combine(
  Order.mapInput(Order.reverse(Order.Date), (key: JwtKey) => key.createdAt),
  Order.mapInput(Order.reverse(Order.number), (key: JwtKey) => key.generation)
)

const makeRing = (keys: Arr.NonEmptyReadonlyArray<JwtKey>): JwtKeyRing => {
  const sorted = Arr.sort(keys, newestFirst)
  const byKid = new Map(sorted.map((key) => [key.kid, key]))
  return {
    keys: sorted,
    signingKey: Arr.headNonEmpty(sorted),
    verificationKey: (kid) => Option.fromNullable(byKid.get(kid))
  }
}

const thumbprintOf = (jwk: EcPrivateJwk) =>
  // Only the public members: the kid must be the same whether computed from the private or the public key.
  attempt("cannot compute a key thumbprint", () => calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }))

const decodeKey = (path: string, generation: number, text: string) =>
  Effect.gen(function*() {
    const file = yield* Schema.decode(KeyFile)(text).pipe(
      Effect.mapError((error) => new JwtKeyRingError({ message: `${path} is not a key file: ${error.message}` }))
    )
    if ((yield* thumbprintOf(file.privateJwk)) !== file.kid) {
      return yield* new JwtKeyRingError({ message: `${path}: kid ${file.kid} does not match its key` })
    }
    const { kty, crv, x, y } = file.privateJwk
    const privateKey = yield* attempt(`cannot import ${path}`, () => importJWK(file.privateJwk, "ES256"))
    const publicKey = yield* attempt(`cannot import ${path}`, () => importJWK({ kty, crv, x, y }, "ES256"))
    const key: JwtKey = { kid: file.kid, createdAt: file.createdAt, generation, privateKey, publicKey }
    return key
  })

const readKeys = (shelf: KeyShelf) =>
  Effect.flatMap(shelf.list, (stored) =>
    Effect.forEach(stored, ({ where, generation, text }) => decodeKey(where, generation, text)))

const generate = (createdAt: Date) =>
  Effect.gen(function*() {
    // Extractable only so it can be written out; the ring itself holds keys re-imported from their files.
    const pair = yield* attempt("cannot generate an ES256 key", () => generateKeyPair("ES256", { extractable: true }))
    const exported = yield* attempt("cannot export the new key", () => exportJWK(pair.privateKey))
    const privateJwk = yield* Schema.decodeUnknown(EcPrivateJwk)(exported).pipe(
      Effect.mapError((error) => new JwtKeyRingError({ message: `unexpected JWK from jose: ${error.message}` }))
    )
    const file: KeyFile = { kid: yield* thumbprintOf(privateJwk), createdAt, privateJwk }
    return file
  })

const writeKey = (shelf: KeyShelf, generation: number, file: KeyFile) =>
  Schema.encode(KeyFile)(file).pipe(
    Effect.mapError((error) => new JwtKeyRingError({ message: `cannot encode key ${file.kid}: ${error.message}` })),
    Effect.flatMap((text) => shelf.claim(generation, text))
  )

const noKeys = (shelf: KeyShelf) => new JwtKeyRingError({ message: `no signing key in ${shelf.describe}` })

/** A path means a key directory (the embedded default), so callers and tests can pass one. */
const shelfOf = (at: KeyShelf | string): KeyShelf => (typeof at === "string" ? keyDirectory(at) : at)

/** Reads the keys on the shelf, creating a first key if there are none. */
export const loadOrCreate = (at: KeyShelf | string): Effect.Effect<JwtKeyRing, JwtKeyRingError> =>
  Effect.gen(function*() {
    const shelf = shelfOf(at)
    const existing = yield* readKeys(shelf)
    if (Arr.isNonEmptyReadonlyArray(existing)) return makeRing(existing)
    const created = yield* generate(new Date(yield* Clock.currentTimeMillis))
    // Losing the race for generation 1 is fine: the winner's key is read back below, so both processes agree.
    yield* writeKey(shelf, 1, created)
    const keys = yield* readKeys(shelf)
    return Arr.isNonEmptyReadonlyArray(keys) ? makeRing(keys) : yield* noKeys(shelf)
  })

const addKey = (shelf: KeyShelf, now: Date, attemptsLeft: number): Effect.Effect<string, JwtKeyRingError> =>
  Effect.gen(function*() {
    const keys = yield* readKeys(shelf)
    const generation = Math.max(0, ...keys.map((key) => key.generation)) + 1
    // Newest createdAt signs, so the new key must outrank one stamped by a replica whose clock runs ahead.
    const newest = keys.reduce((latest, key) => Math.max(latest, key.createdAt.getTime() + 1), now.getTime())
    const created = yield* generate(new Date(newest))
    if (yield* writeKey(shelf, generation, created)) return created.kid
    // Another process rotated at the same moment and took this generation; take the next one.
    if (attemptsLeft <= 1) return yield* new JwtKeyRingError({ message: `cannot add a key to ${shelf.describe}: rotation kept racing` })
    return yield* addKey(shelf, now, attemptsLeft - 1)
  })

/** Keys whose successor was created more than `retainSeconds` before `now`: no token they signed is still live. */
const superseded = (keys: ReadonlyArray<JwtKey>, now: Date, retainSeconds: number) =>
  Arr.sort(keys, newestFirst).filter((_, i, sorted) => {
    const successor = sorted[i - 1]
    return successor !== undefined && now.getTime() - successor.createdAt.getTime() > retainSeconds * 1000
  })

/**
 * Adds a key, which becomes the signing key, and deletes keys superseded more than `retainSeconds` ago. Pass
 * at least the longest token lifetime plus clock leeway (and the time replicas take to notice a new key), so
 * every token signed with a deleted key has expired.
 */
export const rotate = (at: KeyShelf | string, now: Date, retainSeconds: number): Effect.Effect<Rotation, JwtKeyRingError> =>
  Effect.gen(function*() {
    if (Number.isNaN(now.getTime()) || !(retainSeconds >= 0)) {
      return yield* new JwtKeyRingError({ message: `cannot rotate at ${String(now)} retaining ${retainSeconds}s` })
    }
    const shelf = shelfOf(at)
    const kid = yield* addKey(shelf, now, 5)
    const doomed = superseded(yield* readKeys(shelf), now, retainSeconds)
    yield* Effect.forEach(doomed, (key) => shelf.remove(key.generation))
    return { kid, deleted: doomed.map((key) => key.kid) }
  })
