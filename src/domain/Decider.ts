import { Either } from "effect"

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

/**
 * The decider over a list of commands: each decided on the state the ones before it left, and their events
 * together, or the first refusal and no events at all. For one request that changes several things of a stream
 * (the admin CLI's `update-settings`): one decision, one append, all of it or nothing.
 */
export const inSequence = <Command, Event, State, Failure>(
  decider: Decider<Command, Event, State, Failure>
): Decider<ReadonlyArray<Command>, Event, State, Failure> => ({
  initialState: decider.initialState,
  evolve: decider.evolve,
  decide: (commands, state) => {
    const events: Array<Event> = []
    let current = state
    for (const command of commands) {
      const decided = decider.decide(command, current)
      if (Either.isLeft(decided)) return Either.left(decided.left)
      for (const event of decided.right) {
        events.push(event)
        current = decider.evolve(current, event)
      }
    }
    return Either.right(events)
  }
})
