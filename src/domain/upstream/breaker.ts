/**
 * The upstream breaker (ADR 0012), a pure state machine: time comes in as epoch milliseconds, nothing is read
 * from a clock. One breaker guards one upstream host and everything a call to it needs (its token endpoint,
 * its redirects): each attempt asks `admit` first and tells `settle` how it ended.
 */

export interface BreakerPolicy {
  /** Consecutive failed attempts that open the breaker; 0 turns the breaker off. */
  readonly failureThreshold: number
  /** How long an open breaker refuses before it lets one probe through. */
  readonly cooldownMs: number
  /** An attempt still unanswered after this long has failed, for the breaker (and a probe is over). */
  readonly slowCallMs: number
}

/** Calls go through; `failures` is the current run of failed attempts. */
export interface Closed {
  readonly _tag: "Closed"
  readonly since: number
  readonly failures: number
}

export type BreakerState =
  | Closed
  /** Calls are refused until `retryAt`; `reason` is the failure that opened it (or kept it open). */
  | { readonly _tag: "Open"; readonly since: number; readonly retryAt: number; readonly reason: string }
  /** One probe, started at `probeStartedAt`, decides; every other call is refused meanwhile. */
  | HalfOpen

interface HalfOpen {
  readonly _tag: "HalfOpen"
  readonly since: number
  readonly probeStartedAt: number
  readonly reason: string
}

export const closed = (now: number): Closed => ({ _tag: "Closed", since: now, failures: 0 })

export type Admission =
  | { readonly _tag: "Allow" }
  /** This attempt is the probe; `startedAt` names it when it settles. */
  | { readonly _tag: "Probe"; readonly startedAt: number }
  | { readonly _tag: "Refuse"; readonly retryAfterMs: number }

/** How an admitted attempt ended, for the breaker. */
export type AttemptOutcome =
  /** The upstream answered in time (any status it means: 200, 404, 401 after the token dance…). */
  | { readonly _tag: "Answered" }
  /** Unreachable, reset, timed out, 5xx, 429, token endpoint failing, or not answered within `slowCallMs`. */
  | { readonly _tag: "Failed"; readonly reason: string }
  /** Given up by its caller before any answer: says nothing about the upstream. */
  | { readonly _tag: "Abandoned" }

const open = (now: number, retryAt: number, reason: string): BreakerState => ({ _tag: "Open", since: now, retryAt, reason })

/**
 * Whether an attempt may go now. Open past its cooldown lets exactly one probe through (half-open); a probe
 * that has run longer than `slowCallMs` has failed already, so a half-open breaker whose probe is that old
 * lets another through rather than wait for an answer that no longer counts.
 */
export const admit = (policy: BreakerPolicy, state: BreakerState, now: number): { readonly admission: Admission; readonly state: BreakerState } => {
  switch (state._tag) {
    case "Closed":
      return { admission: { _tag: "Allow" }, state }
    case "Open":
      if (now < state.retryAt) return { admission: { _tag: "Refuse", retryAfterMs: state.retryAt - now }, state }
      return { admission: { _tag: "Probe", startedAt: now }, state: { _tag: "HalfOpen", since: now, probeStartedAt: now, reason: state.reason } }
    case "HalfOpen": {
      const probeOverAt = state.probeStartedAt + policy.slowCallMs
      if (now < probeOverAt) return { admission: { _tag: "Refuse", retryAfterMs: probeOverAt - now }, state }
      return { admission: { _tag: "Probe", startedAt: now }, state: { ...state, probeStartedAt: now } }
    }
  }
}

/** When an attempt would be refused now, without taking the probe: what a caller with a fallback asks first. */
export const refusal = (policy: BreakerPolicy, state: BreakerState, now: number): number | null => {
  const { admission } = admit(policy, state, now)
  return admission._tag === "Refuse" ? admission.retryAfterMs : null
}

const isProbe = (state: BreakerState, admission: Admission): state is HalfOpen =>
  state._tag === "HalfOpen" && admission._tag === "Probe" && admission.startedAt === state.probeStartedAt

/**
 * An admitted attempt ended. Any answer closes the breaker: the upstream is there. A run of
 * `failureThreshold` failures opens it for `cooldownMs`; a failed probe opens it again for as long. Failures
 * of attempts let through before it opened change nothing once it is open.
 */
export const settle = (policy: BreakerPolicy, state: BreakerState, admission: Admission, outcome: AttemptOutcome, now: number): BreakerState => {
  switch (outcome._tag) {
    case "Answered":
      return state._tag === "Closed" ? { ...state, failures: 0 } : closed(now)
    case "Abandoned":
      // The probe's slot is free again at once; the next attempt probes.
      return isProbe(state, admission) ? open(now, now, state.reason) : state
    case "Failed":
      if (isProbe(state, admission)) return open(now, now + policy.cooldownMs, outcome.reason)
      if (state._tag !== "Closed" || policy.failureThreshold === 0) return state
      return state.failures + 1 >= policy.failureThreshold
        ? open(now, now + policy.cooldownMs, outcome.reason)
        : { ...state, failures: state.failures + 1 }
  }
}

/** What a replica tells the others when its breaker for a host changes (ADR 0012). */
export type BreakerNews =
  | { readonly _tag: "Opened"; readonly retryInMs: number; readonly reason: string }
  | { readonly _tag: "Closed" }

/**
 * Another replica's breaker changed. Opened: this one opens too without rediscovering the outage, and an open
 * one waits as long as the other's (so one replica probes per cooldown, not each). A half-open one keeps its
 * own probe. Closed: the upstream answered another replica, so this one closes. The remote delay is a
 * duration, not an instant, so clocks need not agree; it is capped at one cooldown.
 */
export const hear = (policy: BreakerPolicy, state: BreakerState, news: BreakerNews, now: number): BreakerState => {
  if (news._tag === "Closed") return state._tag === "Closed" ? state : closed(now)
  if (policy.failureThreshold === 0) return state
  const retryAt = now + Math.min(Math.max(news.retryInMs, 0), policy.cooldownMs)
  switch (state._tag) {
    case "Closed":
      return open(now, retryAt, news.reason)
    case "Open":
      return retryAt > state.retryAt ? { ...state, retryAt } : state
    case "HalfOpen":
      return state
  }
}

/** What the others should hear about a change from `before` to `after`; null when there is nothing to tell. */
export const newsOf = (before: BreakerState, after: BreakerState, now: number): BreakerNews | null => {
  // A probe given up reopens with no delay: nothing was learnt, so nothing to tell.
  if (after._tag === "Open" && after.retryAt > now && (before._tag !== "Open" || after.retryAt !== before.retryAt)) {
    return { _tag: "Opened", retryInMs: Math.max(after.retryAt - now, 0), reason: after.reason }
  }
  if (after._tag === "Closed" && before._tag !== "Closed") return { _tag: "Closed" }
  return null
}
