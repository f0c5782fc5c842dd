import { Data, Effect, Option, Schedule } from "effect"
import { LiveView, type LiveState } from "../../../application/LiveView.js"
import { EventStoreUnavailable } from "../../../application/ports/EventStore.js"

/** The view as of now: after a write, it has caught up with that write (read-your-writes in this process). */
export const currentState = LiveView.pipe(Effect.flatMap((view) => view.current))

/**
 * How long a request waits for something it has just created to show in the view. Readers see no position past
 * a transaction still open, so an append of another request that began before this one's commit holds the view
 * back until it ends: milliseconds, as appends are short. Answering 503 meanwhile would tell the client its
 * request failed when it succeeded, and lose what is shown only once (a token's plaintext).
 */
const VISIBLE_WITHIN = "5 seconds"

/**
 * Something this request has just created, as the view shows it once it has caught up with the commit. Still
 * missing after `VISIBLE_WITHIN` (an older transaction left open, as when the database goes away mid-append):
 * the write is committed but cannot be shown, so the client is told to try again (503), not that we broke.
 */
export const justCreated = <A>(find: (state: LiveState) => Option.Option<A>, what: string): Effect.Effect<A, EventStoreUnavailable, LiveView> =>
  visibleIn(currentState, find, what)

/** What `view` could not yet show: asked again; any failure of the view itself is answered at once. */
class NotYetVisible extends Data.TaggedError("NotYetVisible")<{ readonly what: string }> {}

/** `justCreated` on any view: `view` is asked again until `find` sees the thing, for up to `VISIBLE_WITHIN`. */
export const visibleIn = <S, A, R>(
  view: Effect.Effect<S, EventStoreUnavailable, R>,
  find: (state: S) => Option.Option<A>,
  what: string
): Effect.Effect<A, EventStoreUnavailable, R> =>
  view.pipe(
    Effect.flatMap((state): Effect.Effect<A, NotYetVisible> =>
      Option.match(find(state), { onNone: () => Effect.fail(new NotYetVisible({ what })), onSome: Effect.succeed })
    ),
    Effect.retry({
      schedule: Schedule.spaced("10 millis").pipe(Schedule.upTo(VISIBLE_WITHIN)),
      while: (error) => error._tag === "NotYetVisible"
    }),
    Effect.catchTag("NotYetVisible", (error) =>
      Effect.fail(new EventStoreUnavailable({ message: `${error.what} is committed but not yet visible; an older transaction is still open` })))
  )
