import { Cause, Effect, Exit, Fiber, Option, Ref } from "effect"
import { type UpstreamError, UpstreamUnavailable } from "../../application/ports/UpstreamRegistry.js"
import type { UpstreamBreakersShape } from "../../application/upstream/UpstreamBreakers.js"
import type { AttemptOutcome } from "../../domain/upstream/breaker.js"
import type { Transient } from "./Transient.js"

/**
 * The breaker's reason is shown on readiness and kept in memory: origins only, no paths, which would name
 * repositories some group pulls.
 */
const withoutPaths = (reason: string): string => reason.replace(/(https?:\/\/[^/\s]+)\/\S*/g, "$1")

/** What an attempt's end says about the upstream: a refusal or a 404 is an answer; only silence and 5xx are not. */
const outcomeOf = <A>(exit: Exit.Exit<A, UpstreamError | Transient>): AttemptOutcome => {
  if (Exit.isSuccess(exit)) return { _tag: "Answered" }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return { _tag: "Abandoned" }
  const error = failure.value
  switch (error._tag) {
    case "Transient":
    case "UpstreamUnavailable":
      return { _tag: "Failed", reason: withoutPaths(error.reason) }
    case "UpstreamNotFound":
    case "UpstreamInvalid":
    case "UpstreamCredentialsRejected":
      return { _tag: "Answered" }
  }
}

/**
 * Puts every attempt to `host` (the token dance, the request and its redirects, up to the response headers)
 * under its breaker: refused at once while the breaker is open, with no retry; otherwise settled with how it
 * ended. An attempt still unanswered after `slowCallMs` is settled as failed at that moment, so a host that
 * accepts connections and never answers opens the breaker in seconds rather than after the header timeouts;
 * the attempt itself goes on, and its late answer still reaches its caller.
 */
export const guardAttempts = (breakers: UpstreamBreakersShape, host: string) =>
<A, R>(attempt: Effect.Effect<A, UpstreamError | Transient, R>): Effect.Effect<A, UpstreamError | Transient, R> =>
  Effect.gen(function*() {
    const admission = yield* breakers.admit(host)
    if (admission._tag === "Refuse") {
      const seconds = Math.ceil(admission.retryAfterMs / 1000)
      return yield* new UpstreamUnavailable({
        reason: `${host} not asked: its breaker is open for ${seconds} s more`,
        retryAfterMs: admission.retryAfterMs,
        refusedByBreaker: true
      })
    }
    const settled = yield* Ref.make(false)
    const settleOnce = (outcome: AttemptOutcome) =>
      Ref.getAndSet(settled, true).pipe(Effect.flatMap((done) => (done ? Effect.void : breakers.settle(host, admission, outcome))))
    const slowMs = breakers.policy.slowCallMs
    return yield* Effect.gen(function*() {
      const running = yield* Effect.fork(attempt)
      const early = yield* Fiber.await(running).pipe(Effect.timeoutOption(slowMs))
      yield* settleOnce(Option.isSome(early) ? outcomeOf(early.value) : { _tag: "Failed", reason: `${host} did not answer within ${slowMs} ms` })
      return yield* Fiber.join(running)
    }).pipe(Effect.onInterrupt(() => settleOnce({ _tag: "Abandoned" })))
  })
