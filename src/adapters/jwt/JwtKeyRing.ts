import { randomUUID } from "node:crypto"
import { chmod, link, mkdir, open, readdir, readFile, unlink } from "node:fs/promises"
import { join } from "node:path"
import { Array as Arr, Clock, Data, Effect, Option, Order, Schema } from "effect"
import { calculateJwkThumbprint, type CryptoKey, exportJWK, generateKeyPair, importJWK } from "jose"

/** The key directory could not be read or written, or holds something that is not a key we wrote. */
export class JwtKeyRingError extends Data.TaggedError("JwtKeyRingError")<{ readonly message: string }> {}

/** One ES256 signing key. `kid` is its RFC 7638 thumbprint, so every replica names it the same way. */
export interface JwtKey {
  readonly kid: string
  readonly createdAt: Date
  /** The number in its file name; only breaks ties between equal `createdAt`s. */
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

// Files are named by generation rather than by kid: the first key is always generation 1, so two processes
// creating it race for the same name and the exclusive link lets exactly one win.
const KEY_FILE = /^key-(\d{8})\.json$/
const fileName = (generation: number) => `key-${String(generation).padStart(8, "0")}.json`

const describeCause = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

const attempt = <A>(action: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => new JwtKeyRingError({ message: `${action}: ${describeCause(cause)}` }) })

const hasCode = (cause: unknown, code: string): boolean =>
  typeof cause === "object" && cause !== null && "code" in cause && cause.code === code

/** Runs `run`, turning the one errno that means "already in the state we want" into `fallback`. */
const tolerating = <A, B>(code: string, fallback: B, run: () => Promise<A>) => async (): Promise<A | B> => {
  try {
    return await run()
  } catch (cause) {
    if (hasCode(cause, code)) return fallback
    throw cause
  }
}

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

const ensureDir = (dir: string) =>
  attempt(`cannot create ${dir}`, async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    // mkdir leaves an existing directory's mode alone; private keys live here, so tighten it regardless.
    await chmod(dir, 0o700)
  })

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

const readKeys = (dir: string) =>
  Effect.gen(function*() {
    const names = yield* attempt(`cannot list ${dir}`, () => readdir(dir))
    const files = names.flatMap((name) => {
      const digits = KEY_FILE.exec(name)?.[1]
      return digits === undefined ? [] : [{ path: join(dir, name), generation: Number(digits) }]
    })
    const keys = yield* Effect.forEach(files, ({ path, generation }) =>
      // A concurrent rotation may delete a file between readdir and readFile; it is then simply not a key any more.
      attempt(`cannot read ${path}`, tolerating("ENOENT", undefined, () => readFile(path, "utf8"))).pipe(
        Effect.flatMap((text) =>
          text === undefined ? Effect.succeedNone : Effect.map(decodeKey(path, generation, text), Option.some)
        )
      ))
    return Arr.getSomes(keys)
  })

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

/**
 * Writes the key under `generation` unless that name is taken. The content goes to a private temp file first
 * and is then hard-linked into place, so a reader never sees a half-written key and only one writer wins.
 */
const writeKeyFile = (dir: string, generation: number, file: KeyFile) =>
  Effect.gen(function*() {
    const text = yield* Schema.encode(KeyFile)(file).pipe(
      Effect.mapError((error) => new JwtKeyRingError({ message: `cannot encode key ${file.kid}: ${error.message}` }))
    )
    const temp = join(dir, `.tmp-${randomUUID()}`)
    const target = join(dir, fileName(generation))
    const write = attempt(`cannot write ${temp}`, async () => {
      const handle = await open(temp, "wx", 0o600)
      try {
        await handle.writeFile(text)
        await handle.sync()
      } finally {
        await handle.close()
      }
    })
    const claim = attempt(`cannot link ${target}`, tolerating("EEXIST", false, async () => {
      await link(temp, target)
      return true
    }))
    const cleanUp = attempt(`cannot remove ${temp}`, tolerating("ENOENT", undefined, () => unlink(temp))).pipe(
      Effect.catchTag("JwtKeyRingError", (error) => Effect.logWarning(error.message))
    )
    return yield* write.pipe(Effect.zipRight(claim), Effect.ensuring(cleanUp))
  })

const noKeys = (dir: string) => new JwtKeyRingError({ message: `no signing key in ${dir}` })

/** Reads the keys in `dir`, creating the directory and a first key if there are none. */
export const loadOrCreate = (dir: string): Effect.Effect<JwtKeyRing, JwtKeyRingError> =>
  Effect.gen(function*() {
    yield* ensureDir(dir)
    const existing = yield* readKeys(dir)
    if (Arr.isNonEmptyReadonlyArray(existing)) return makeRing(existing)
    const created = yield* generate(new Date(yield* Clock.currentTimeMillis))
    // Losing the race for generation 1 is fine: the winner's key is read back below, so both processes agree.
    yield* writeKeyFile(dir, 1, created)
    const keys = yield* readKeys(dir)
    return Arr.isNonEmptyReadonlyArray(keys) ? makeRing(keys) : yield* noKeys(dir)
  })

const addKey = (dir: string, now: Date, attemptsLeft: number): Effect.Effect<string, JwtKeyRingError> =>
  Effect.gen(function*() {
    const keys = yield* readKeys(dir)
    const generation = Math.max(0, ...keys.map((key) => key.generation)) + 1
    // Newest createdAt signs, so the new key must outrank one stamped by a replica whose clock runs ahead.
    const newest = keys.reduce((latest, key) => Math.max(latest, key.createdAt.getTime() + 1), now.getTime())
    const created = yield* generate(new Date(newest))
    if (yield* writeKeyFile(dir, generation, created)) return created.kid
    // Another process rotated at the same moment and took this generation; take the next one.
    if (attemptsLeft <= 1) return yield* new JwtKeyRingError({ message: `cannot add a key to ${dir}: rotation kept racing` })
    return yield* addKey(dir, now, attemptsLeft - 1)
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
export const rotate = (dir: string, now: Date, retainSeconds: number): Effect.Effect<Rotation, JwtKeyRingError> =>
  Effect.gen(function*() {
    if (Number.isNaN(now.getTime()) || !(retainSeconds >= 0)) {
      return yield* new JwtKeyRingError({ message: `cannot rotate at ${String(now)} retaining ${retainSeconds}s` })
    }
    yield* ensureDir(dir)
    const kid = yield* addKey(dir, now, 5)
    const doomed = superseded(yield* readKeys(dir), now, retainSeconds)
    // ENOENT: a replica rotating at the same time deleted it first, which is the outcome wanted.
    yield* Effect.forEach(doomed, (key) => {
      const path = join(dir, fileName(key.generation))
      return attempt(`cannot delete ${path}`, tolerating("ENOENT", undefined, () => unlink(path)))
    })
    return { kid, deleted: doomed.map((key) => key.kid) }
  })
