import { it } from "@effect/vitest"
import { FastCheck } from "effect"
import { describe, expect } from "vitest"
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
} from "../../../src/domain/upstream/breaker.js"

const policy: BreakerPolicy = { failureThreshold: 3, cooldownMs: 10_000, slowCallMs: 2_000 }
const T0 = 1_700_000_000_000
const failed: AttemptOutcome = { _tag: "Failed", reason: "ECONNREFUSED" }
const answered: AttemptOutcome = { _tag: "Answered" }
const allow: Admission = { _tag: "Allow" }

/** Admits and settles one attempt at `now` with `outcome`. */
const attempt = (p: BreakerPolicy, state: BreakerState, now: number, outcome: AttemptOutcome) => {
  const admitted = admit(p, state, now)
  return admitted.admission._tag === "Refuse" ? admitted.state : settle(p, admitted.state, admitted.admission, outcome, now)
}

describe("breaker examples", () => {
  it("opens on the threshold-th consecutive failure, not before", () => {
    let state: BreakerState = closed(T0)
    state = attempt(policy, state, T0, failed)
    state = attempt(policy, state, T0 + 1, failed)
    expect(state).toEqual({ _tag: "Closed", since: T0, failures: 2 })
    state = attempt(policy, state, T0 + 2, failed)
    expect(state).toEqual({ _tag: "Open", since: T0 + 2, retryAt: T0 + 2 + policy.cooldownMs, reason: "ECONNREFUSED" })
  })

  it("an answer in between starts the run again", () => {
    let state: BreakerState = closed(T0)
    for (const outcome of [failed, failed, answered, failed, failed]) state = attempt(policy, state, T0, outcome)
    expect(state._tag).toBe("Closed")
  })

  it("refuses while open, then lets exactly one probe through; the probe's answer closes it", () => {
    const opened: BreakerState = { _tag: "Open", since: T0, retryAt: T0 + 10_000, reason: "timeout" }
    expect(admit(policy, opened, T0 + 9_999).admission).toEqual({ _tag: "Refuse", retryAfterMs: 1 })
    const probing = admit(policy, opened, T0 + 10_000)
    expect(probing.admission).toEqual({ _tag: "Probe", startedAt: T0 + 10_000 })
    expect(admit(policy, probing.state, T0 + 10_001).admission._tag).toBe("Refuse")
    expect(settle(policy, probing.state, probing.admission, answered, T0 + 10_500)).toEqual(closed(T0 + 10_500))
  })

  it("a probe older than slowCallMs no longer holds the slot: the boundary", () => {
    const probing = admit(policy, { _tag: "Open", since: T0, retryAt: T0, reason: "timeout" }, T0)
    expect(admit(policy, probing.state, T0 + policy.slowCallMs - 1).admission).toEqual({ _tag: "Refuse", retryAfterMs: 1 })
    expect(admit(policy, probing.state, T0 + policy.slowCallMs).admission).toEqual({ _tag: "Probe", startedAt: T0 + policy.slowCallMs })
  })

  it("a failed probe opens it for another full cooldown", () => {
    const probing = admit(policy, { _tag: "Open", since: T0, retryAt: T0, reason: "timeout" }, T0)
    expect(settle(policy, probing.state, probing.admission, failed, T0 + 300)).toEqual({
      _tag: "Open",
      since: T0 + 300,
      retryAt: T0 + 300 + policy.cooldownMs,
      reason: "ECONNREFUSED"
    })
  })

  it("a probe given up frees the slot at once", () => {
    const probing = admit(policy, { _tag: "Open", since: T0, retryAt: T0, reason: "timeout" }, T0)
    const after = settle(policy, probing.state, probing.admission, { _tag: "Abandoned" }, T0 + 5)
    expect(admit(policy, after, T0 + 5).admission._tag).toBe("Probe")
    expect(newsOf(probing.state, after, T0 + 5)).toBeNull()
  })

  it("failures of attempts let through before it opened do not keep it open longer", () => {
    const opened: BreakerState = { _tag: "Open", since: T0, retryAt: T0 + 10_000, reason: "timeout" }
    expect(settle(policy, opened, allow, failed, T0 + 5_000)).toBe(opened)
  })

  it("threshold 0 turns it off", () => {
    const off = { ...policy, failureThreshold: 0 }
    let state: BreakerState = closed(T0)
    for (let i = 0; i < 100; i++) state = attempt(off, state, T0 + i, failed)
    expect(admit(off, state, T0 + 100).admission).toEqual(allow)
    expect(hear(off, state, { _tag: "Opened", retryInMs: 5_000, reason: "x" }, T0)).toBe(state)
  })

  it("news from another replica opens a closed breaker for at most one cooldown, and closes an open one", () => {
    const heard = hear(policy, closed(T0), { _tag: "Opened", retryInMs: 60_000, reason: "timeout" }, T0)
    expect(heard).toEqual({ _tag: "Open", since: T0, retryAt: T0 + policy.cooldownMs, reason: "timeout" })
    expect(hear(policy, heard, { _tag: "Closed" }, T0 + 1)).toEqual(closed(T0 + 1))
  })

  it("tells the others when it opens and when it closes, nothing else", () => {
    const before = closed(T0)
    const opened = settle(policy, { ...before, failures: 2 }, allow, failed, T0)
    expect(newsOf({ ...before, failures: 2 }, opened, T0)).toEqual({ _tag: "Opened", retryInMs: policy.cooldownMs, reason: "ECONNREFUSED" })
    const probing = admit(policy, opened, T0 + policy.cooldownMs)
    expect(newsOf(opened, probing.state, T0 + policy.cooldownMs)).toBeNull()
    const reclosed = settle(policy, probing.state, probing.admission, answered, T0 + policy.cooldownMs)
    expect(newsOf(probing.state, reclosed, T0 + policy.cooldownMs)).toEqual({ _tag: "Closed" })
    expect(newsOf(before, { ...before, failures: 1 }, T0)).toBeNull()
  })
})

// ---------------------------------------------------------------------------------------------------------
// Random runs: attempts start, settle in any order, news arrives; time only moves forward.

type Step =
  | { readonly _tag: "Start"; readonly dt: number }
  | { readonly _tag: "Settle"; readonly dt: number; readonly pick: number; readonly outcome: AttemptOutcome }
  | { readonly _tag: "Hear"; readonly dt: number; readonly news: BreakerNews }

const dt = FastCheck.oneof(FastCheck.constant(0), FastCheck.integer({ min: 0, max: 30_000 }))
const outcome: FastCheck.Arbitrary<AttemptOutcome> = FastCheck.oneof(
  FastCheck.constant<AttemptOutcome>(answered),
  FastCheck.constant<AttemptOutcome>(failed),
  FastCheck.constant<AttemptOutcome>(failed),
  FastCheck.constant<AttemptOutcome>({ _tag: "Abandoned" })
)
const news: FastCheck.Arbitrary<BreakerNews> = FastCheck.oneof(
  FastCheck.constant<BreakerNews>({ _tag: "Closed" }),
  FastCheck.record({ _tag: FastCheck.constant("Opened" as const), retryInMs: FastCheck.integer({ min: -1_000, max: 10_000_000 }), reason: FastCheck.constant("remote") })
)
const step: FastCheck.Arbitrary<Step> = FastCheck.oneof(
  FastCheck.record({ _tag: FastCheck.constant("Start" as const), dt }),
  FastCheck.record({ _tag: FastCheck.constant("Settle" as const), dt, pick: FastCheck.nat(), outcome }),
  FastCheck.record({ _tag: FastCheck.constant("Hear" as const), dt, news })
)
const steps = FastCheck.array(step, { maxLength: 80 })
const anyPolicy: FastCheck.Arbitrary<BreakerPolicy> = FastCheck.record({
  failureThreshold: FastCheck.integer({ min: 0, max: 6 }),
  cooldownMs: FastCheck.integer({ min: 1, max: 60_000 }),
  slowCallMs: FastCheck.integer({ min: 1, max: 30_000 })
})

interface Observation {
  readonly now: number
  readonly before: BreakerState
  readonly after: BreakerState
  readonly admission: Admission | null
  /** Probes admitted and not yet settled, before this step. */
  readonly probesInFlight: ReadonlyArray<number>
  readonly step: Step
}

/** Runs `run` from a closed breaker and reports every step, so properties can look at each transition. */
const simulate = (p: BreakerPolicy, run: ReadonlyArray<Step>): ReadonlyArray<Observation> => {
  let now = T0
  let state: BreakerState = closed(T0)
  const inFlight: Array<Admission> = []
  const seen: Array<Observation> = []
  for (const s of run) {
    now += s.dt
    const before = state
    const probesInFlight = inFlight.flatMap((a) => (a._tag === "Probe" ? [a.startedAt] : []))
    let admission: Admission | null = null
    switch (s._tag) {
      case "Start": {
        const admitted = admit(p, state, now)
        admission = admitted.admission
        state = admitted.state
        if (admission._tag !== "Refuse") inFlight.push(admission)
        break
      }
      case "Settle": {
        if (inFlight.length === 0) break
        const [settled] = inFlight.splice(s.pick % inFlight.length, 1)
        if (settled !== undefined) state = settle(p, state, settled, s.outcome, now)
        break
      }
      case "Hear":
        state = hear(p, state, s.news, now)
        break
    }
    seen.push({ now, before, after: state, admission, probesInFlight, step: s })
  }
  return seen
}

describe("breaker properties", () => {
  it.prop("(a) with threshold 0 every attempt goes through", [anyPolicy, steps], ([p, run]) => {
    for (const o of simulate({ ...p, failureThreshold: 0 }, run)) {
      if (o.admission !== null) expect(o.admission).toEqual(allow)
    }
  })

  it.prop(
    "(b) without news, it opens exactly when a run of threshold failures since the last answer completes",
    [anyPolicy, FastCheck.array(FastCheck.constantFrom<AttemptOutcome>(answered, failed), { maxLength: 40 })],
    ([p, outcomes]) => {
      // Every attempt admitted while closed, settled in order: the oracle counts the run by hand.
      let state: BreakerState = closed(T0)
      let run = 0
      let opened = false
      for (const o of outcomes) {
        state = settle(p, state, allow, o, T0)
        if (o._tag === "Answered") {
          run = 0
          opened = false
        } else if (!opened && p.failureThreshold > 0 && ++run >= p.failureThreshold) opened = true
        expect(state._tag).toBe(opened ? "Open" : "Closed")
      }
    }
  )

  it.prop("(c) a refusal never asks to wait longer than a cooldown or a probe's time", [anyPolicy, steps], ([p, run]) => {
    for (const o of simulate(p, run)) {
      if (o.admission?._tag === "Refuse") {
        expect(o.admission.retryAfterMs).toBeGreaterThan(0)
        expect(o.admission.retryAfterMs).toBeLessThanOrEqual(Math.max(p.cooldownMs, p.slowCallMs))
      }
    }
  })

  it.prop("(d) one probe at a time: a probe is let through only when no other is younger than slowCallMs", [anyPolicy, steps], ([p, run]) => {
    for (const o of simulate(p, run)) {
      if (o.admission?._tag === "Probe") {
        for (const startedAt of o.probesInFlight) expect(o.now - startedAt).toBeGreaterThanOrEqual(p.slowCallMs)
      }
      if (o.admission?._tag === "Allow") expect(o.before._tag).toBe("Closed")
    }
  })

  it.prop("(e) it never refuses forever: a cooldown and a probe's time later, an attempt goes through", [anyPolicy, steps], ([p, run]) => {
    const last = simulate(p, run).at(-1)
    const state = last?.after ?? closed(T0)
    const later = (last?.now ?? T0) + p.cooldownMs + p.slowCallMs
    expect(admit(p, state, later).admission._tag).not.toBe("Refuse")
  })

  it.prop("(f) an answer always leaves it closed with no failures counted", [anyPolicy, steps], ([p, run]) => {
    for (const o of simulate(p, run)) {
      if (o.step._tag === "Settle" && o.step.outcome._tag === "Answered" && o.before !== o.after) {
        expect(o.after).toMatchObject({ _tag: "Closed", failures: 0 })
      }
    }
  })

  it.prop("(g) a refusal refuses without changing anything; refusal() agrees with admit()", [anyPolicy, steps], ([p, run]) => {
    for (const o of simulate(p, run)) {
      if (o.admission?._tag === "Refuse") expect(o.after).toBe(o.before)
      if (o.step._tag === "Start") {
        const asked = refusal(p, o.before, o.now)
        expect(asked).toBe(o.admission?._tag === "Refuse" ? o.admission.retryAfterMs : null)
      }
    }
  })

  it.prop("(h) news never shortens a refusal, and a remote delay counts for at most one cooldown", [anyPolicy, steps], ([p, run]) => {
    for (const o of simulate(p, run)) {
      if (o.step._tag !== "Hear" || o.step.news._tag !== "Opened") continue
      const before = refusal(p, o.before, o.now)
      const after = refusal(p, o.after, o.now)
      if (before !== null) expect(after ?? 0).toBeGreaterThanOrEqual(before)
      if (o.before._tag === "Closed" && o.after._tag === "Open") expect(o.after.retryAt - o.now).toBeLessThanOrEqual(p.cooldownMs)
    }
  })

  it.prop("(i) what a replica tells the others, heard by a closed one, makes it refuse no longer than the teller", [anyPolicy, steps], ([p, run]) => {
    for (const o of simulate(p, run)) {
      const told = newsOf(o.before, o.after, o.now)
      if (told === null) continue
      const other = hear(p, closed(o.now), told, o.now)
      expect(other._tag).toBe(told._tag === "Opened" && p.failureThreshold > 0 ? "Open" : "Closed")
      const mine = refusal(p, o.after, o.now) ?? 0
      expect(refusal(p, other, o.now) ?? 0).toBeLessThanOrEqual(Math.max(mine, 0))
    }
  })
})
