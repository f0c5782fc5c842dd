import { Clock, Context, Effect, Layer, Ref } from "effect"
import { SignInThrottled } from "./errors.js"

export interface SignInThrottlePolicy {
  /** Failures allowed in one window before further attempts are refused. */
  readonly maxFailures: number
  readonly windowMs: number
}

/** One allowance per client address and username, shared by `/jwt/auth`, `/oauth/token` and the sign-in form. */
export const throttleKey = (clientAddress: string, username: string): string => `${clientAddress}\u0000${username.toLowerCase()}`

export const defaultThrottlePolicy: SignInThrottlePolicy = { maxFailures: 10, windowMs: 60_000 }

export interface SignInThrottleShape {
  /** Fails with the seconds to wait when the key has used up its failures in the current window. */
  readonly check: (key: string) => Effect.Effect<void, SignInThrottled>
  readonly failed: (key: string) => Effect.Effect<void>
  readonly succeeded: (key: string) => Effect.Effect<void>
}

/**
 * Slows down password guessing: failed Basic sign-ins are counted per client address and username in a fixed
 * window; past the limit, attempts are refused (429) until the window ends. Kept per process: a guesser
 * spreading over replicas gets at most one allowance per replica.
 */
export class SignInThrottle extends Context.Tag("dependency-proxy/SignInThrottle")<SignInThrottle, SignInThrottleShape>() {}

interface Window {
  readonly start: number
  readonly failures: number
}

export const signInThrottleLayer = (policy: SignInThrottlePolicy = defaultThrottlePolicy) =>
  Layer.effect(
    SignInThrottle,
    Effect.gen(function*() {
      const windows = yield* Ref.make(new Map<string, Window>())
      const current = (key: string, now: number) =>
        Ref.get(windows).pipe(Effect.map((all) => {
          const window = all.get(key)
          return window === undefined || now - window.start >= policy.windowMs ? undefined : window
        }))
      const update = (f: (all: Map<string, Window>) => void) =>
        Ref.update(windows, (all) => {
          const next = new Map(all)
          f(next)
          return next
        })
      return {
        check: (key) =>
          Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            const window = yield* current(key, now)
            if (window !== undefined && window.failures >= policy.maxFailures) {
              return yield* new SignInThrottled({ retryAfterSeconds: Math.max(1, Math.ceil((window.start + policy.windowMs - now) / 1000)) })
            }
          }),
        failed: (key) =>
          Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            const window = yield* current(key, now)
            yield* update((all) => {
              // Expired windows of other keys go too, so the map cannot grow without bound.
              for (const [k, w] of all) if (now - w.start >= policy.windowMs) all.delete(k)
              all.set(key, window === undefined ? { start: now, failures: 1 } : { ...window, failures: window.failures + 1 })
            })
          }),
        succeeded: (key) => update((all) => all.delete(key))
      }
    })
  )
