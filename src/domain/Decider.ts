import type { Either } from "effect"

/**
 * A decider (Chassaing): what a stream decides given a command, and how its state follows from its events.
 * Pure and synchronous: time and ids arrive on the command.
 */
export interface Decider<Command, Event, State, Failure> {
  readonly initialState: State
  readonly evolve: (state: State, event: Event) => State
  readonly decide: (command: Command, state: State) => Either.Either<ReadonlyArray<Event>, Failure>
}

export const fold = <Event, State>(
  decider: { readonly initialState: State; readonly evolve: (state: State, event: Event) => State },
  events: Iterable<Event>
): State => {
  let state = decider.initialState
  for (const event of events) state = decider.evolve(state, event)
  return state
}
