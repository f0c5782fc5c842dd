import { Clock, Context, Effect, Layer, Ref } from "effect"
import { SignInThrottled } from "./errors.js"

export interface SignInThrottlePolicy {
  /** Failures allowed for one client address and username in a window before further attempts are refused. */
  readonly maxFailures: number
  /** Failures allowed for one client address across all usernames in a window: a spray of usernames stops here. */
  readonly maxFailuresPerClient: number
  readonly windowMs: number
  /** Password verifications (scrypt, ~0.1 s of a thread each) one client may run at once; more wait their turn. */
  readonly maxConcurrentPerClient: number
  /** Password verifications running at once in this process; more wait their turn. */
  readonly maxConcurrent: number
  /** How long a verification may wait for its turn before the sign-in is refused (429, retry in a second). */
  readonly maxWaitMs: number
}

export const defaultThrottlePolicy: SignInThrottlePolicy = {
  maxFailures: 10,
  maxFailuresPerClient: 30,
  windowMs: 60_000,
  maxConcurrentPerClient: 2,
  // libuv's four threads each verify one password at a time; twice that keeps them busy without a long queue.
  maxConcurrent: 8,
  maxWaitMs: 10_000
}

/** Who is signing in, as the throttle counts them. */
export interface SignInAttempt {
  readonly clientAddress: string
  readonly username: string
}

export interface SignInThrottleShape {
  /** Fails with the seconds to wait when the attempt's client, or its client and username, used up their failures. */
  readonly check: (attempt: SignInAttempt) => Effect.Effect<void, SignInThrottled>
  readonly failed: (attempt: SignInAttempt) => Effect.Effect<void>
  /** A success clears the client-and-username count, never the client's own (a sprayer may know one password). */
  readonly succeeded: (attempt: SignInAttempt) => Effect.Effect<void>
  /**
   * Runs a password verification within the concurrency bounds: a client's verifications queue in its own
   * lane (a CI host signing in for ten pulls at once waits a moment), so one client cannot occupy the threads
   * every other client's sign-in needs; one that waits too long is refused (429, retry in a second). The
   * attempt is checked again when its turn comes: attempts sent at once all pass the first check, and the
   * failures of those ahead of it in the lane are counted by then.
   */
  readonly verifying: <A, E, R>(attempt: SignInAttempt, verification: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SignInThrottled, R>
}

/**
 * Slows down password guessing: failed sign-ins are counted in a fixed window per client address and username
 * and per client address alone; past either limit, attempts are refused (429) until the window ends. Shared by
 * `/jwt/auth`, `/oauth/token` and the sign-in form. Kept per process: a guesser spreading over replicas gets at
 * most one allowance per replica.
 */
export class SignInThrottle extends Context.Tag("dependency-proxy/SignInThrottle")<SignInThrottle, SignInThrottleShape>() {}

/** A client's queue of password verifications, kept while anyone is in it. */
interface Lane {
  readonly semaphore: Effect.Semaphore
  users: number
}

interface Window {
  readonly start: number
  readonly failures: number
}

const pairKey = (attempt: SignInAttempt): string => `${attempt.clientAddress}\u0000${attempt.username.toLowerCase()}`
const clientKey = (attempt: SignInAttempt): string => `${attempt.clientAddress}\u0000`

const BUSY = new SignInThrottled({ retryAfterSeconds: 1 })

export const signInThrottleLayer = (overrides: Partial<SignInThrottlePolicy> = {}) =>
  Layer.effect(
    SignInThrottle,
    Effect.gen(function*() {
      const policy: SignInThrottlePolicy = { ...defaultThrottlePolicy, ...overrides }
      const windows = yield* Ref.make(new Map<string, Window>())
      const everyone = yield* Effect.makeSemaphore(policy.maxConcurrent)
      const lanes = new Map<string, Lane>()
      const enterLane = (clientAddress: string) =>
        Effect.sync(() => {
          const lane = lanes.get(clientAddress) ?? { semaphore: Effect.unsafeMakeSemaphore(policy.maxConcurrentPerClient), users: 0 }
          lane.users += 1
          lanes.set(clientAddress, lane)
          return lane
        })
      const leaveLane = (clientAddress: string, lane: Lane) =>
        Effect.sync(() => {
          lane.users -= 1
          if (lane.users === 0) lanes.delete(clientAddress)
        })
      /** Holds a permit of `semaphore` while `effect` runs, waiting for it at most `maxWaitMs`. */
      const holding = (semaphore: Effect.Semaphore) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SignInThrottled, R> =>
        Effect.uninterruptibleMask((restore) =>
          restore(semaphore.take(1)).pipe(
            Effect.timeoutFail({ duration: policy.maxWaitMs, onTimeout: () => BUSY }),
            Effect.zipRight(restore(effect).pipe(Effect.ensuring(semaphore.release(1))))
          ))

      const live = (all: ReadonlyMap<string, Window>, key: string, now: number): Window | undefined => {
        const window = all.get(key)
        return window === undefined || now - window.start >= policy.windowMs ? undefined : window
      }
      const exhausted = (window: Window | undefined, limit: number, now: number): SignInThrottled | null =>
        window !== undefined && window.failures >= limit
          ? new SignInThrottled({ retryAfterSeconds: Math.max(1, Math.ceil((window.start + policy.windowMs - now) / 1000)) })
          : null

      const check = (attempt: SignInAttempt): Effect.Effect<void, SignInThrottled> =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const all = yield* Ref.get(windows)
          const refusal = exhausted(live(all, clientKey(attempt), now), policy.maxFailuresPerClient, now) ??
            exhausted(live(all, pairKey(attempt), now), policy.maxFailures, now)
          if (refusal !== null) return yield* refusal
        })

      return {
        check,
        failed: (attempt) =>
          Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            yield* Ref.update(windows, (all) => {
              const next = new Map<string, Window>()
              // Expired windows go, so the map cannot grow without bound.
              for (const [key, window] of all) if (now - window.start < policy.windowMs) next.set(key, window)
              for (const key of [clientKey(attempt), pairKey(attempt)]) {
                const window = next.get(key)
                next.set(key, window === undefined ? { start: now, failures: 1 } : { ...window, failures: window.failures + 1 })
              }
              return next
            })
          }),
        succeeded: (attempt) =>
          Ref.update(windows, (all) => {
            const next = new Map(all)
            next.delete(pairKey(attempt))
            return next
          }),
        verifying: <A, E, R>(attempt: SignInAttempt, verification: Effect.Effect<A, E, R>): Effect.Effect<A, E | SignInThrottled, R> =>
          Effect.acquireUseRelease(
            enterLane(attempt.clientAddress),
            (lane) => holding(lane.semaphore)(holding(everyone)(check(attempt).pipe(Effect.zipRight(verification)))),
            (lane) => leaveLane(attempt.clientAddress, lane)
          )
      }
    })
  )
