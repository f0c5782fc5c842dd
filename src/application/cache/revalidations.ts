import { Deferred, Effect, type Exit, FiberId, Option, type Scope } from "effect"

export interface Revalidations<A, E> {
  /**
   * Joins the check running for `key`, or starts `check` in the background; waits for its result at most
   * `budgetMs`. None: over budget, while the check goes on and updates the cache for the next pull.
   */
  readonly await: (key: string, check: Effect.Effect<A, E>, budgetMs: number) => Effect.Effect<Option.Option<A>, E>
}

/**
 * One upstream check per cached tag at a time (ADR 0012): concurrent pulls of a tag share one HEAD, and a
 * client that stops waiting (or hangs up) does not stop it. Checks run in `scope`, the cache's own, so closing
 * the service interrupts them. The map is only touched inside `Effect.sync` blocks, which run to the end.
 */
export const revalidations = <A, E>(scope: Scope.Scope): Revalidations<A, E> => {
  const running = new Map<string, Deferred.Deferred<A, E>>()
  const finish = (key: string, deferred: Deferred.Deferred<A, E>) => (exit: Exit.Exit<A, E>) =>
    Effect.sync(() => {
      if (running.get(key) === deferred) running.delete(key)
    }).pipe(Effect.zipRight(Deferred.done(deferred, exit)))
  return {
    await: (key, check, budgetMs) =>
      Effect.gen(function*() {
        const started = yield* Effect.sync(() => {
          const found = running.get(key)
          if (found !== undefined) return { deferred: found, fresh: false }
          const deferred = Deferred.unsafeMake<A, E>(FiberId.none)
          running.set(key, deferred)
          return { deferred, fresh: true }
        })
        if (started.fresh) yield* Effect.forkIn(Effect.onExit(check, finish(key, started.deferred)), scope)
        return yield* Deferred.await(started.deferred).pipe(Effect.timeoutOption(budgetMs))
      })
  }
}
