import { Effect, type Exit, Fiber } from "effect"

/**
 * Events per part of step two (ADR 0031). A batch of a thousand goes in two parts, so that the client folds and
 * encodes one part while Postgres writes the one before; an append of one command (at most a few dozen events)
 * is one part, one statement, as before. Measured in `bench/results/2026-12-06-trial-append-parts.md`.
 */
export const PART_EVENTS = 500

/** `events` cut into runs of at most `PART_EVENTS`, in order; none when there are none. */
export const partsOf = <A>(events: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> => {
  const parts: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < events.length; start += PART_EVENTS) parts.push(events.slice(start, start + PART_EVENTS))
  return parts
}

/**
 * Statements of one transaction, part by part, in order on its one connection (ADR 0031: an append's step two,
 * and a replay's read models): part n + 1 is computed (`rowsOf`, which throws on a defect) while part n's
 * statement runs on the server, and sent once part n has ended, so no two statements are ever in flight. Every
 * part but the last says that more follow.
 *
 * A part once sent runs to its end, uninterruptibly: an interrupted statement is cancelled through the pool,
 * which can arrive later and cancel whatever that backend runs by then (see `inPostgresTransaction`). And it is
 * waited for whatever happens to this fiber meanwhile (a failure, a defect computing the next part, an
 * interruption), so the caller's rollback comes after it on the connection. A part runs in its own fiber as an
 * `Exit`, so that a refused part is this fiber's failure rather than an unhandled one of its own.
 */
export const writeInParts = <P, R, E>(
  parts: ReadonlyArray<P>,
  rowsOf: (part: P) => R,
  write: (rows: R, more: boolean) => Effect.Effect<void, E>
): Effect.Effect<void, E> => {
  const from = (index: number, sent: Fiber.RuntimeFiber<Exit.Exit<void, E>> | undefined): Effect.Effect<void, E> =>
    Effect.suspend(() => {
      const part = parts[index]
      const previous = sent === undefined ? Effect.void : Effect.flatten(Fiber.join(sent))
      if (part === undefined) return previous
      // A defect thrown here fails this effect; the part before is still awaited (the caller's `onExit`).
      const rows = rowsOf(part)
      const more = index < parts.length - 1
      if (!more) return previous.pipe(Effect.zipRight(write(rows, false)))
      return previous.pipe(
        Effect.zipRight(Effect.uninterruptibleMask((restore) =>
          Effect.fork(Effect.exit(write(rows, true))).pipe(
            Effect.flatMap((fiber) =>
              // Yielding lets the forked part reach the connection's socket before this fiber computes the next.
              restore(Effect.yieldNow().pipe(Effect.zipRight(from(index + 1, fiber)))).pipe(
                Effect.onExit(() => Fiber.await(fiber))
              )
            )
          )
        ))
      )
    })
  return from(0, undefined)
}
