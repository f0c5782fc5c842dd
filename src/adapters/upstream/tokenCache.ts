import { createHash } from "node:crypto"
import { Clock, Deferred, Effect, Exit, Option, type Scope } from "effect"
import type { UpstreamCaller } from "../../application/ports/UpstreamRegistry.js"

/** A pull token and the instant (epoch ms) after which it is no longer offered. */
export interface IssuedToken {
  readonly token: string
  readonly expiresAtMs: number
}

/** Docker's token spec: a token without `expires_in` lasts 60 s. */
const DEFAULT_LIFETIME_MS = 60_000
/** Given up early, so a token never expires between our check and the registry's. */
const MARGIN_MS = 10_000

/**
 * When a token stops being offered: `issued_at` (or now) plus `expires_in` (or 60 s), less a margin of 10 s
 * but never more than half the lifetime. An `issued_at` in the future (server clock ahead) counts as now.
 */
export const expiresAt = (response: { readonly expiresIn: number | undefined; readonly issuedAt: string | undefined }, nowMs: number): number => {
  const lifetimeMs = response.expiresIn !== undefined && response.expiresIn > 0 ? response.expiresIn * 1000 : DEFAULT_LIFETIME_MS
  const issuedMs = response.issuedAt === undefined ? Number.NaN : Date.parse(response.issuedAt)
  const start = Number.isNaN(issuedMs) ? nowMs : Math.min(issuedMs, nowMs)
  return start + lifetimeMs - Math.min(MARGIN_MS, lifetimeMs / 2)
}

/**
 * Tokens are per group (each has its own Docker Hub account), per credentials (changed credentials must not
 * reuse a token obtained with the old ones) and per repository (the scope). The secret enters only as a hash.
 */
export const cacheKey = (caller: UpstreamCaller, repository: string): string => {
  const credentials = caller.credentials === null
    ? "anonymous"
    : createHash("sha256").update(caller.credentials.identity).update("\0").update(caller.credentials.secret).digest("hex")
  return `${caller.groupId}/${credentials}/${repository}`
}

export interface TokenCache<E> {
  /** A token still valid for `key`, waiting for one being fetched; none if there is neither. */
  readonly current: (key: string) => Effect.Effect<Option.Option<string>, E>
  /** The token for `key`, fetching it if needed; concurrent callers for one key share one fetch. */
  readonly obtain: (key: string, fetch: Effect.Effect<IssuedToken, E>) => Effect.Effect<string, E>
  /** Forgets `token` (the registry refused it); a newer token for the key is kept. */
  readonly invalidate: (key: string, token: string) => Effect.Effect<void>
}

type Entry<E> =
  | { readonly _tag: "Pending"; readonly deferred: Deferred.Deferred<IssuedToken, E> }
  | { readonly _tag: "Ready"; readonly issued: IssuedToken }

/**
 * Fetches run in `scope` (the layer's), not in the caller's fiber: a client hanging up must not cancel a
 * fetch other callers are waiting for. The map is only touched inside `Effect.sync` blocks, which run to
 * completion, so it needs no lock.
 */
export const makeTokenCache = <E>(): Effect.Effect<TokenCache<E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const entries = new Map<string, Entry<E>>()

    const prune = (nowMs: number) => {
      for (const [key, entry] of entries) {
        if (entry._tag === "Ready" && entry.issued.expiresAtMs <= nowMs) entries.delete(key)
      }
    }

    const settle = (key: string, deferred: Deferred.Deferred<IssuedToken, E>, issued: IssuedToken | null) =>
      Effect.sync(() => {
        const entry = entries.get(key)
        if (entry?._tag !== "Pending" || entry.deferred !== deferred) return
        if (issued === null) entries.delete(key)
        else entries.set(key, { _tag: "Ready", issued })
      })

    const current = (key: string): Effect.Effect<Option.Option<string>, E> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const entry = entries.get(key)
        if (entry === undefined) return Effect.succeed(Option.none())
        if (entry._tag === "Pending") return Deferred.await(entry.deferred).pipe(Effect.map((issued) => Option.some(issued.token)))
        return Effect.succeed(entry.issued.expiresAtMs > now ? Option.some(entry.issued.token) : Option.none())
      })

    const obtain = (key: string, fetch: Effect.Effect<IssuedToken, E>): Effect.Effect<string, E> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const fresh = yield* Deferred.make<IssuedToken, E>()
        const existing = yield* Effect.sync(() => {
          const entry = entries.get(key)
          if (entry?._tag === "Pending" || (entry?._tag === "Ready" && entry.issued.expiresAtMs > now)) return entry
          prune(now)
          entries.set(key, { _tag: "Pending", deferred: fresh })
          return undefined
        })
        if (existing?._tag === "Ready") return existing.issued.token
        if (existing?._tag === "Pending") return (yield* Deferred.await(existing.deferred)).token
        // The outcome, failure included, goes to every waiter through `fresh`.
        yield* fetch.pipe(
          Effect.onExit((exit) => settle(key, fresh, Exit.isSuccess(exit) ? exit.value : null)),
          Effect.intoDeferred(fresh),
          Effect.forkIn(scope)
        )
        return (yield* Deferred.await(fresh)).token
      })

    const invalidate = (key: string, token: string) =>
      Effect.sync(() => {
        const entry = entries.get(key)
        if (entry?._tag === "Ready" && entry.issued.token === token) entries.delete(key)
      })

    return { current, obtain, invalidate }
  })
