import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Metric, Queue, Stream, TestClock } from "effect"
import { breakerState } from "../../../src/application/metrics.js"
import { type BreakerBulletin, BreakerSignal } from "../../../src/application/ports/BreakerSignal.js"
import { UpstreamBreakers, upstreamBreakersLayer } from "../../../src/application/upstream/UpstreamBreakers.js"
import type { BreakerPolicy } from "../../../src/domain/upstream/breaker.js"

const POLICY: BreakerPolicy = { failureThreshold: 2, cooldownMs: 10_000, slowCallMs: 1_000 }
const failed = { _tag: "Failed", reason: "ECONNREFUSED" } as const

/** The breakers on a signal the test holds both ends of. */
const world = Effect.gen(function*() {
  const told: Array<BreakerBulletin> = []
  const news = yield* Queue.unbounded<BreakerBulletin>()
  const signal = Layer.succeed(BreakerSignal, {
    announce: (bulletin) => Effect.sync(() => void told.push(bulletin)),
    heard: Stream.fromQueue(news)
  })
  const context = yield* Layer.build(upstreamBreakersLayer(POLICY).pipe(Layer.provide(signal)))
  return { breakers: Context.get(context, UpstreamBreakers), told, news }
})

/** Runs a test with every log line, the breakers' included, collected in `lines`. */
const collectingLogs = <A, E, R>(test: (lines: Array<string>) => Effect.Effect<A, E, R>) => {
  const lines: Array<string> = []
  return test(lines).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => void lines.push(String(message))))))
}

/** Announcements are sent on their own fiber, so no request waits for the database: let them run. */
const settled = Effect.repeatN(Effect.yieldNow(), 20)

const failOnce = (breakers: typeof UpstreamBreakers.Service, host: string) =>
  Effect.flatMap(breakers.admit(host), (admission) => breakers.settle(host, admission, failed))

const stateGauge = (host: string, state: string) =>
  Metric.value(breakerState.pipe(Metric.tagged("upstream", host), Metric.tagged("state", state))).pipe(Effect.map((s) => s.value))

describe("the upstream breakers of a process", () => {
  it.scoped("open after the threshold: one log line, the gauge, and one bulletin to the other replicas", () =>
    collectingLogs((lines) => Effect.gen(function*() {
      const { breakers, told } = yield* world
      yield* failOnce(breakers, "hub.test")
      expect(told).toEqual([])
      yield* failOnce(breakers, "hub.test")
      yield* settled
      expect(lines.filter((line) => line.includes("upstream breaker"))).toEqual(["upstream breaker for hub.test: closed → open"])
      expect(told).toEqual([{ host: "hub.test", news: { _tag: "Opened", retryInMs: POLICY.cooldownMs, reason: "ECONNREFUSED" } }])
      expect(yield* stateGauge("hub.test", "open")).toBe(1)
      expect(yield* stateGauge("hub.test", "closed")).toBe(0)
      expect(yield* breakers.refusal("hub.test")).toBe(POLICY.cooldownMs)
      const [report] = yield* breakers.reports
      expect(report).toMatchObject({ host: "hub.test", state: "open", retryInSeconds: 10, reason: "ECONNREFUSED" })
    })))

  it.scoped("the probe after the cooldown closes it, and the others hear it closed", () =>
    collectingLogs((lines) => Effect.gen(function*() {
      const { breakers, told } = yield* world
      yield* failOnce(breakers, "hub.test")
      yield* failOnce(breakers, "hub.test")
      yield* TestClock.adjust(POLICY.cooldownMs)
      const probe = yield* breakers.admit("hub.test")
      expect(probe._tag).toBe("Probe")
      expect((yield* breakers.admit("hub.test"))._tag).toBe("Refuse")
      yield* breakers.settle("hub.test", probe, { _tag: "Answered" })
      yield* settled
      expect(lines.filter((line) => line.includes("upstream breaker"))).toEqual([
        "upstream breaker for hub.test: closed → open",
        "upstream breaker for hub.test: open → half_open",
        "upstream breaker for hub.test: half_open → closed"
      ])
      expect(told.map((bulletin) => bulletin.news._tag)).toEqual(["Opened", "Closed"])
    })))

  it.scoped("news from another replica opens and closes it, and is never told again", () =>
    collectingLogs((lines) => Effect.gen(function*() {
      const { breakers, told, news } = yield* world
      yield* Queue.offer(news, { host: "hub.test", news: { _tag: "Opened", retryInMs: 4_000, reason: "timeout" } })
      while ((yield* breakers.refusal("hub.test")) === null) yield* Effect.yieldNow()
      expect(yield* breakers.refusal("hub.test")).toBe(4_000)
      yield* Queue.offer(news, { host: "hub.test", news: { _tag: "Closed" } })
      while ((yield* breakers.refusal("hub.test")) !== null) yield* Effect.yieldNow()
      yield* settled
      expect(told).toEqual([])
      expect(lines.filter((line) => line.includes("upstream breaker"))).toEqual([
        "upstream breaker for hub.test: closed → open (heard from another replica)",
        "upstream breaker for hub.test: open → closed (heard from another replica)"
      ])
    })))

  it.scoped("each host has its own breaker", () =>
    Effect.gen(function*() {
      const { breakers } = yield* world
      yield* failOnce(breakers, "hub.test")
      yield* failOnce(breakers, "hub.test")
      expect((yield* breakers.admit("mirror.test"))._tag).toBe("Allow")
      expect((yield* breakers.reports).map((r) => [r.host, r.state])).toEqual([["hub.test", "open"], ["mirror.test", "closed"]])
    }))
})
