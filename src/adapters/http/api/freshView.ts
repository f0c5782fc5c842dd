import { Effect, Option } from "effect"
import { LiveView } from "../../../application/LiveView.js"
import { EventStoreUnavailable } from "../../../application/ports/EventStore.js"

/** The view as of now: after a write, it has caught up with that write (read-your-writes in this process). */
export const currentState = LiveView.pipe(Effect.flatMap((view) => view.current))

/**
 * Something this request has just created. It is missing from the view only while an older transaction is
 * still open (readers see no position past it), as when the database goes away mid-append: the write is
 * committed, but the view cannot show it yet, so the client is told to try again (503), not that we broke.
 */
export const justCreated = <A>(found: Option.Option<A>, what: string): Effect.Effect<A, EventStoreUnavailable> =>
  Option.match(found, {
    onNone: () => Effect.fail(new EventStoreUnavailable({ message: `${what} is committed but not yet visible; an older transaction is still open` })),
    onSome: Effect.succeed
  })
