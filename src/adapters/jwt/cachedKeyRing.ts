import { Effect, Option, SynchronizedRef } from "effect"
import { InvalidRegistryToken } from "../../application/ports/RegistryTokens.js"
import { type JwtKey, type JwtKeyRing, type JwtKeyRingError, type KeyShelf, loadOrCreate } from "./JwtKeyRing.js"

// An RFC 7638 SHA-256 thumbprint; only a kid of that shape may make a replica re-read its key directory.
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/

/**
 * At most one re-read for unknown kids in this long (callers' time). Anyone can send a token with a made-up kid
 * (the signature is checked only once the key is found), and each re-read lists, reads and imports every key
 * while ordinary checks wait for the same lock: a stream of such tokens slowed every pull's token check 30-fold.
 * A key another replica has just created is found at the next re-read, within this time.
 */
export const UNKNOWN_KID_REREAD_MS = 5_000

interface Cached {
  readonly ring: JwtKeyRing
  /** In the callers' time (the `now` they pass); none until the first call after loading. */
  readonly loadedAt: Option.Option<number>
  /** When an unknown kid last made this process re-read the keys, in the callers' time. */
  readonly rereadForKidAt: Option.Option<number>
}

const withRing = (cached: Cached): readonly [JwtKeyRing, Cached] => [cached.ring, cached]

/**
 * The signing and verification keys as this process holds them: read from the shelf, trusted for `refreshMs`
 * (in the callers' time), and read again early for a kid another replica may just have created.
 */
export const cachedKeyRing = (keys: KeyShelf | string, refreshMs: number) =>
  Effect.gen(function*() {
    const state = yield* SynchronizedRef.make<Cached>({ ring: yield* loadOrCreate(keys), loadedAt: Option.none(), rereadForKidAt: Option.none() })

    // A failed re-read keeps the keys we have (and waits a refresh period before trying again) rather than
    // turning a disk hiccup into rejected tokens; the failure is logged.
    const reload = (cached: Cached, now: number) =>
      loadOrCreate(keys).pipe(
        Effect.map((ring): Cached => ({ ...cached, ring, loadedAt: Option.some(now) })),
        Effect.catchTag("JwtKeyRingError", (error: JwtKeyRingError) =>
          Effect.logWarning(`keeping the JWT keys already loaded: ${error.message}`).pipe(
            Effect.as<Cached>({ ...cached, loadedAt: Option.some(now) })
          ))
      )

    // Re-reading now and then is how a replica picks up another's rotation for signing, and forgets deleted keys.
    const ringAt = (now: Date) =>
      SynchronizedRef.modifyEffect(state, (cached) => {
        const t = now.getTime()
        const next = Option.match(cached.loadedAt, {
          onNone: () => Effect.succeed<Cached>({ ...cached, loadedAt: Option.some(t) }),
          onSome: (at) => (t - at >= refreshMs ? reload(cached, t) : Effect.succeed(cached))
        })
        return Effect.map(next, withRing)
      })

    const reloadFor = (kid: string, now: Date) =>
      SynchronizedRef.modifyEffect(state, (cached) => {
        const t = now.getTime()
        // Another request may have re-read the directory while this one waited; or one did so too recently.
        const recently = Option.exists(cached.rereadForKidAt, (at) => t - at < UNKNOWN_KID_REREAD_MS)
        if (Option.isSome(cached.ring.verificationKey(kid)) || recently) return Effect.succeed(withRing(cached))
        return reload(cached, t).pipe(Effect.map((next) => withRing({ ...next, rereadForKidAt: Option.some(t) })))
      })

    const keyFor = (kid: string, now: Date): Effect.Effect<JwtKey, InvalidRegistryToken> =>
      ringAt(now).pipe(
        Effect.flatMap((ring) =>
          Option.isSome(ring.verificationKey(kid)) || !THUMBPRINT.test(kid)
            ? Effect.succeed(ring)
            // A kid we do not know may be a key another replica created after we loaded.
            : reloadFor(kid, now)
        ),
        Effect.flatMap((ring) => Option.match(ring.verificationKey(kid), {
          onNone: () => Effect.fail(new InvalidRegistryToken({ reason: "unknown key" })),
          onSome: Effect.succeed
        }))
      )

    return { ringAt, keyFor }
  })
