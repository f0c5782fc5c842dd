import { Either } from "effect"
import { expect } from "vitest"
import { type Decider, fold } from "../../src/domain/Decider.js"

/** The fields a failure of the given tag carries, less the tag itself (which `thenFails` checks separately). */
type FailureFields<Failure, Tag> = Partial<Omit<Extract<Failure, { readonly _tag: Tag }>, "_tag">>

export interface Then<Event, Failure extends { readonly _tag: string }> {
  /** The raw decision, for the rare test that needs more than the two assertions below. */
  readonly decision: Either.Either<ReadonlyArray<Event>, Failure>
  /** The command succeeds with exactly these events, in this order (an empty list means "nothing to record"). */
  readonly then: (expected: ReadonlyArray<Event>) => void
  /** The command is rejected with this `_tag` and, when given, these field values. */
  readonly thenFails: <Tag extends Failure["_tag"]>(tag: Tag, fields?: FailureFields<Failure, Tag>) => void
}

export interface When<Command, Event, Failure extends { readonly _tag: string }> {
  readonly when: (command: Command) => Then<Event, Failure>
}

// Failures are shown in full when an expectation of events is not met, so a wrong rejection is diagnosable
// from the test output alone.
const describeFailure = (failure: { readonly _tag: string }): string => {
  const fields = Object.entries(failure).filter(([key]) => key !== "_tag")
  return `${failure._tag} ${JSON.stringify(Object.fromEntries(fields))}`
}

/**
 * Given/when/then for deciders: the state is always folded from events, never built by hand, so a test
 * exercises `evolve` as well as `decide` and cannot set up a state the decider could never reach.
 */
export const given = <Command, Event, State, Failure extends { readonly _tag: string }>(
  decider: Decider<Command, Event, State, Failure>,
  // NoInfer: the event type comes from the decider alone, so literal events are checked against it rather
  // than widened into a type of their own.
  events: ReadonlyArray<NoInfer<Event>> = []
): When<Command, Event, Failure> => ({
  when: (command) => {
    const decision = decider.decide(command, fold(decider, events))
    return {
      decision,
      then: (expected) =>
        Either.match(decision, {
          onLeft: (failure) => expect.fail(`expected events, but the command was rejected: ${describeFailure(failure)}`),
          onRight: (actual) => expect(actual).toStrictEqual(expected)
        }),
      thenFails: (tag, fields) =>
        Either.match(decision, {
          onLeft: (failure) => {
            expect(failure._tag).toBe(tag)
            if (fields !== undefined) expect(failure).toMatchObject(fields)
          },
          onRight: (actual) => expect.fail(`expected ${tag}, but the command succeeded with ${JSON.stringify(actual)}`)
        })
    }
  }
})
