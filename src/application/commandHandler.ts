import { Clock, Effect, Either, Metric, Schedule } from "effect"
import { appendLatency } from "./metrics.js"
import type { Decider } from "../domain/Decider.js"
import { fold } from "../domain/Decider.js"
import { decodeEvent, encodeEvent } from "../domain/eventCodec.js"
import type { StreamType } from "../domain/streams.js"
import { CommandMetadata } from "./CommandMetadata.js"
import { EventStore, type EventStoreUnavailable, type RecordedEvent, type StreamWrite, VersionConflict } from "./ports/EventStore.js"

/** One stream's part of a command: load the stream, fold it, decide. */
export interface StreamDecision<Failure> {
  readonly streamId: string
  readonly decide: (history: ReadonlyArray<RecordedEvent>) => Either.Either<StreamWrite, Failure>
}

/** Loads a stream's events into its decider's state. Undecodable stored events are defects. */
export const stateOf = <C, E extends { readonly _tag: string }, S, F, I>(
  stream: StreamType<E, I>,
  decider: Decider<C, E, S, F>,
  history: ReadonlyArray<RecordedEvent>
): S => fold(decider, history.map((stored) => Either.getOrThrow(decodeEvent(stream, stored))))

/**
 * A stream's state after a command, from the state its decision saw and the events the command appended to it:
 * what a surface answers with, without reading the stream again.
 */
export const stateAfter = <C, E extends { readonly _tag: string }, S, F, I>(
  stream: StreamType<E, I>,
  decider: Decider<C, E, S, F>,
  streamId: string,
  before: S,
  appended: ReadonlyArray<RecordedEvent>
): S =>
  appended
    .filter((stored) => stored.streamId === streamId)
    .reduce((state, stored) => decider.evolve(state, Either.getOrThrow(decodeEvent(stream, stored))), before)

/** A decision on one stream; `command` sees the stream's current state, for commands that depend on it. */
export const decision = <C, E extends { readonly _tag: string }, S, F, I>(
  stream: StreamType<E, I>,
  decider: Decider<C, E, S, F>,
  streamId: string,
  /** The command, built from the stream's current state when it depends on it. */
  command: (state: S) => Either.Either<C, F>
): StreamDecision<F> => ({
  streamId,
  decide: (history) => {
    const state = stateOf(stream, decider, history)
    return Either.flatMap(command(state), (c) => decider.decide(c, state)).pipe(
      Either.map((events) => ({
        streamId,
        expectedVersion: history.at(-1)?.streamVersion ?? 0,
        events: events.map((event) => Either.getOrThrow(encodeEvent(stream, event)))
      }))
    )
  }
})

/**
 * `d`, held to the stream's version the plan was made from (read before anything else the plan read): a write
 * to the stream since conflicts, and the plan is made again. `decision` expects the version it reads when it
 * decides, which may already include a write the plan did not see.
 */
export const atVersion = <F>(d: StreamDecision<F>, version: number): StreamDecision<F | VersionConflict> => ({
  streamId: d.streamId,
  decide: (history) => {
    const actualVersion = history.at(-1)?.streamVersion ?? 0
    return actualVersion === version
      ? d.decide(history)
      : Either.left(new VersionConflict({ streamId: d.streamId, expectedVersion: version, actualVersion }))
  }
})

const MAX_ATTEMPTS = 5

/** One attempt: plan, read and decide each stream, append every write with its expected version. */
const attempt = <F, E, R>(
  plan: Effect.Effect<ReadonlyArray<StreamDecision<F>>, E, R>
): Effect.Effect<ReadonlyArray<RecordedEvent>, F | E | VersionConflict | EventStoreUnavailable, R | EventStore | CommandMetadata> =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const metadata = yield* CommandMetadata
    const decisions = yield* plan
    const writes: Array<StreamWrite> = []
    for (const d of decisions) {
      const history = yield* store.readStream(d.streamId)
      const write = yield* d.decide(history)
      if (write.events.length > 0) writes.push(write)
    }
    if (writes.length === 0) return []
    const now = yield* Clock.currentTimeMillis
    return yield* store.append(writes, metadata, new Date(now)).pipe(Metric.trackDuration(appendLatency))
  })

/**
 * The command handler: builds the decisions (which may read other streams and read models), loads each
 * stream, decides, and appends every write in one atomic batch with its expected version. A concurrent
 * writer makes the append fail with `VersionConflict`; the whole plan is then rebuilt from fresh state and
 * tried again, a bounded number of times.
 */
export const handleCommand = <F, E, R>(plan: Effect.Effect<ReadonlyArray<StreamDecision<F>>, E, R>) =>
  attempt(plan).pipe(
    Effect.retry({
      while: (error) => error instanceof VersionConflict,
      schedule: Schedule.recurs(MAX_ATTEMPTS - 1)
    })
  )

const CONTENDED_ATTEMPTS = 40

/**
 * `handleCommand` for commands that many writers append to one stream with at once (subgroups created under one
 * parent, each recording `SubgroupCreated` on it): each conflict lets one of them through, so a burst of n
 * needs up to n attempts. After the first five, more of them, a few milliseconds apart at random (up to 50 ms),
 * so the losers do not all come back at the same moment.
 */
export const handleContendedCommand = <F, E, R>(plan: Effect.Effect<ReadonlyArray<StreamDecision<F>>, E, R>) =>
  attempt(plan).pipe(
    Effect.retry({
      while: (error) => error instanceof VersionConflict,
      // The first retries at once, as `handleCommand`'s; only a longer burst waits between them.
      schedule: Schedule.recurs(MAX_ATTEMPTS - 1).pipe(Schedule.andThen(
        Schedule.exponential("2 millis").pipe(
          Schedule.union(Schedule.spaced("50 millis")),
          Schedule.jittered,
          Schedule.intersect(Schedule.recurs(CONTENDED_ATTEMPTS - MAX_ATTEMPTS))
        )
      ))
    })
  )
