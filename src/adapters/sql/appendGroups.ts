import { Cause, Chunk, Deferred, Effect, Either, Exit, Option, Queue, type Scope } from "effect"
import type { RecordedEvent, VersionConflict } from "../../application/ports/EventStore.js"
import { type AppendRequest, ConcurrentAppend, type MemberOutcome } from "./appendWrites.js"

/** How appends share transactions: at most `groups` transactions at once, each of at most `members` appends. */
export interface GroupLimits {
  readonly groups: number
  readonly members: number
}

/** Appends that ran, or could not run, together. */
export interface GroupRunners<E> {
  /** Several appends in one transaction: an outcome per member, in order. */
  readonly together: (members: ReadonlyArray<AppendRequest>) => Effect.Effect<ReadonlyArray<MemberOutcome>, E | ConcurrentAppend>
  /** One append in its own transaction, as without groups. */
  readonly alone: (member: AppendRequest) => Effect.Effect<ReadonlyArray<RecordedEvent>, E | VersionConflict | ConcurrentAppend>
}

interface Waiting<E> {
  readonly request: AppendRequest
  readonly done: Deferred.Deferred<ReadonlyArray<RecordedEvent>, E | VersionConflict | ConcurrentAppend>
}

const isConcurrentAppend = (cause: Cause.Cause<unknown>): boolean =>
  Option.exists(Cause.failureOption(cause), (failure) => failure instanceof ConcurrentAppend)

/**
 * Group commit in the client (ADR 0030): appends arriving while others are in flight wait in a queue, and each
 * of `limits.groups` workers takes what has gathered (up to `limits.members`) into one transaction, one commit
 * and one flush for all of them. A lone append runs alone, as before. Every member keeps its own outcome: a
 * member whose expected versions failed gets its conflict while the others commit. When the shared transaction
 * itself loses a race (another transaction wrote one of its streams first: `ConcurrentAppend`), each member is
 * run again alone, so that only the member whose stream moved sees the conflict; any other failure is every
 * member's.
 *
 * A caller waits for its outcome without interruption, as an append in its own transaction does (see
 * `inPostgresTransaction`): once offered, an append runs to its commit or rollback. Closing the scope lets the
 * groups in flight finish and fails the appends still queued as interrupted.
 */
export const appendGroups = <E>(
  runners: GroupRunners<E>,
  limits: GroupLimits
): Effect.Effect<
  (request: AppendRequest) => Effect.Effect<ReadonlyArray<RecordedEvent>, E | VersionConflict | ConcurrentAppend>,
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<Waiting<E>>()
    // Added before the workers start, so it runs after they have stopped (finalizers run in reverse).
    yield* Effect.addFinalizer(() =>
      Queue.takeAll(queue).pipe(
        Effect.flatMap((left) => Effect.forEach(left, (waiting) => Deferred.interrupt(waiting.done), { discard: true })),
        Effect.zipRight(Queue.shutdown(queue))
      )
    )

    const alone = (waiting: Waiting<E>) =>
      Effect.exit(runners.alone(waiting.request)).pipe(Effect.flatMap((exit) => Deferred.done(waiting.done, exit)))

    const settle = (group: ReadonlyArray<Waiting<E>>): Effect.Effect<void> => {
      const [only] = group
      if (group.length === 1 && only !== undefined) return Effect.asVoid(alone(only))
      return Effect.exit(runners.together(group.map((waiting) => waiting.request))).pipe(
        Effect.flatMap((exit) => {
          if (Exit.isSuccess(exit)) {
            return Effect.forEach(group, (waiting, index) => {
              const outcome = exit.value[index]
              return outcome === undefined
                ? Deferred.die(waiting.done, new Error(`append group: no outcome for member ${index}`))
                : Either.match(outcome, {
                  onLeft: (conflict) => Deferred.fail(waiting.done, conflict),
                  onRight: (recorded) => Deferred.succeed(waiting.done, recorded)
                })
            }, { discard: true })
          }
          // Lost a race as a whole: each member again on its own, so that only the one whose stream moved fails.
          if (isConcurrentAppend(exit.cause)) return Effect.forEach(group, alone, { discard: true })
          return Effect.forEach(group, (waiting) => Deferred.failCause(waiting.done, exit.cause), { discard: true })
        })
      )
    }

    const worker = Queue.takeBetween(queue, 1, limits.members).pipe(
      // A group once taken is settled whole, even while the scope closes: its callers wait for it.
      Effect.flatMap((taken) => Effect.uninterruptible(settle(Chunk.toReadonlyArray(taken)))),
      Effect.forever
    )
    for (let i = 0; i < limits.groups; i++) yield* Effect.forkScoped(worker)

    return (request: AppendRequest) =>
      Effect.uninterruptible(
        Effect.gen(function*() {
          const done = yield* Deferred.make<ReadonlyArray<RecordedEvent>, E | VersionConflict | ConcurrentAppend>()
          yield* Queue.offer(queue, { request, done })
          return yield* Deferred.await(done)
        })
      )
  })
