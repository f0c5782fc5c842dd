import { Effect, Option } from "effect"
import { LiveView } from "../../../application/LiveView.js"

/** The view as of now: after a write, it has caught up with that write (read-your-writes in this process). */
export const currentState = LiveView.pipe(Effect.flatMap((view) => view.current))

/** Something this request has just created: missing from the view would be a bug, not the client's problem. */
export const justCreated = <A>(found: Option.Option<A>, what: string): Effect.Effect<A> =>
  Option.match(found, {
    onNone: () => Effect.dieMessage(`${what} is missing from the view right after its creation`),
    onSome: Effect.succeed
  })
