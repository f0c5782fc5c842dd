import { Clock, Context, Effect, Layer, Metric, Schedule, Stream } from "effect"
import {
  type Admission,
  admit,
  type AttemptOutcome,
  type BreakerNews,
  type BreakerPolicy,
  type BreakerState,
  closed,
  hear,
  newsOf,
  refusal,
  settle
} from "../../domain/upstream/breaker.js"
import { breakerRefusals, breakerState, breakerTransitions } from "../metrics.js"
import { BreakerSignal } from "../ports/BreakerSignal.js"

/** How one host's breaker stands, for readiness details, the group page and logs. */
export interface BreakerReport {
  readonly host: string
  readonly state: "closed" | "open" | "half_open"
  readonly since: Date
  /** Closed: the current run of failed attempts. */
  readonly failures: number
  /** Open or half-open: the failure that opened it. */
  readonly reason: string | null
  /** Open: seconds until a probe is let through. */
  readonly retryInSeconds: number | null
}

export interface UpstreamBreakersShape {
  readonly policy: BreakerPolicy
  /** Asks to send one attempt to `host` now; a refusal says how long the breaker will still refuse. */
  readonly admit: (host: string) => Effect.Effect<Admission>
  /** How an admitted attempt ended. Call it once per admitted attempt, as soon as its outcome is known. */
  readonly settle: (host: string, admission: Admission, outcome: AttemptOutcome) => Effect.Effect<void>
  /** Milliseconds an attempt would still be refused, or null when it would go: asked without taking the probe. */
  readonly refusal: (host: string) => Effect.Effect<number | null>
  /** Every host asked so far; a host never asked has a closed breaker. */
  readonly reports: Effect.Effect<ReadonlyArray<BreakerReport>>
}

/** The breaker of every upstream host this process calls (ADR 0012): state, log, metrics, and the other replicas. */
export class UpstreamBreakers extends Context.Tag("dependency-proxy/UpstreamBreakers")<UpstreamBreakers, UpstreamBreakersShape>() {}

const STATES = ["closed", "open", "half_open"] as const
const stateName = (state: BreakerState): BreakerReport["state"] =>
  state._tag === "Closed" ? "closed" : state._tag === "Open" ? "open" : "half_open"

const report = (host: string, state: BreakerState, now: number): BreakerReport => ({
  host,
  state: stateName(state),
  since: new Date(state.since),
  failures: state._tag === "Closed" ? state.failures : 0,
  reason: state._tag === "Closed" ? null : state.reason,
  retryInSeconds: state._tag === "Open" ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : null
})

const showState = (host: string, state: BreakerState) =>
  Effect.forEach(STATES, (name) =>
    Metric.set(breakerState.pipe(Metric.tagged("upstream", host), Metric.tagged("state", name)), name === stateName(state) ? 1 : 0), { discard: true })

/** One log line per transition, and the metrics that follow the state. */
const recordTransition = (host: string, before: BreakerState, after: BreakerState, now: number, heardFromReplica: boolean) =>
  Effect.gen(function*() {
    const from = stateName(before)
    const to = stateName(after)
    if (from === to) return
    yield* showState(host, after)
    yield* Metric.update(breakerTransitions.pipe(Metric.tagged("upstream", host), Metric.tagged("to", to)), 1)
    const { reason, retryInSeconds } = report(host, after, now)
    const line = `upstream breaker for ${host}: ${from} → ${to}${heardFromReplica ? " (heard from another replica)" : ""}`
    const fields = { upstream: host, from, to, reason, retryInSeconds, heardFromReplica }
    // One line: the fields are annotations, not a second message.
    yield* (to === "open" ? Effect.logWarning(line) : Effect.logInfo(line)).pipe(Effect.annotateLogs(fields))
  })

/**
 * The breakers live in this process's memory, touched only inside `Effect.sync` blocks (which run to the end),
 * so they need no lock. Transitions this process causes are announced to the other replicas; what they
 * announce is applied as news, never announced again.
 */
export const upstreamBreakersLayer = (policy: BreakerPolicy) =>
  Layer.scoped(
    UpstreamBreakers,
    Effect.gen(function*() {
      const signal = yield* BreakerSignal
      const scope = yield* Effect.scope
      const states = new Map<string, BreakerState>()
      const stateOf = (host: string, now: number) => states.get(host) ?? closed(now)

      /** Applies `change` to the host's breaker; logs, meters and (for local changes) announces a transition. */
      const update = <A>(host: string, heardFromReplica: boolean, change: (state: BreakerState, now: number) => { readonly state: BreakerState; readonly result: A }) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const { first, before, after, result } = yield* Effect.sync(() => {
            const first = !states.has(host)
            const before = stateOf(host, now)
            const changed = change(before, now)
            states.set(host, changed.state)
            return { first, before, after: changed.state, result: changed.result }
          })
          // A host seen for the first time shows up in the metrics as closed before anything else.
          if (first) yield* showState(host, before)
          if (before === after) return result
          yield* recordTransition(host, before, after, now, heardFromReplica)
          const news = heardFromReplica ? null : newsOf(before, after, now)
          if (news !== null) yield* Effect.forkIn(signal.announce({ host, news }), scope)
          return result
        })

      const hearBulletin = (host: string, news: BreakerNews) =>
        update(host, true, (state, now) => ({ state: hear(policy, state, news, now), result: undefined }))
      yield* signal.heard.pipe(
        Stream.runForEach((bulletin) => hearBulletin(bulletin.host, bulletin.news)),
        Effect.tapErrorCause((cause) => Effect.logWarning("lost the other replicas' breaker news; listening again", cause)),
        Effect.retry(Schedule.spaced("1 second")),
        Effect.forkScoped
      )

      return UpstreamBreakers.of({
        policy,
        admit: (host) =>
          update(host, false, (state, now) => {
            const admitted = admit(policy, state, now)
            return { state: admitted.state, result: admitted.admission }
          }).pipe(Effect.tap((admission) =>
            admission._tag === "Refuse" ? Metric.update(breakerRefusals.pipe(Metric.tagged("upstream", host)), 1) : Effect.void
          )),
        settle: (host, admission, outcome) =>
          update(host, false, (state, now) => ({ state: settle(policy, state, admission, outcome, now), result: undefined })),
        refusal: (host) =>
          Clock.currentTimeMillis.pipe(Effect.map((now) => refusal(policy, stateOf(host, now), now))),
        reports: Clock.currentTimeMillis.pipe(
          Effect.map((now) => [...states.entries()].map(([host, state]) => report(host, state, now)))
        )
      })
    })
  )
