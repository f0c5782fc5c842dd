import { Clock, Deferred, Effect, type Exit, FiberId, Option, type Scope } from "effect"

export interface Revalidations<A, E> {
  /**
   * Joins the check of `key` started less than `budgetMs` ago, or starts `check` in the background; waits
   * for its result at most `budgetMs`. None: over budget, while the check goes on and updates the cache for
   * the next pull.
   */
  readonly await: (key: string, check: Effect.Effect<A, E>, budgetMs: number) => Effect.Effect<Option.Option<A>, E>
}

interface Running<A, E> {
  readonly result: Deferred.Deferred<A, E>
  readonly startedAt: number
}

/**
 * One upstream check per cached tag at a time (ADR 0012): concurrent pulls of a tag share one HEAD, and a
 * client that stops waiting (or hangs up) does not stop it. A check older than the budget is not joined: its
 * waiters were served already, and one hanging until the header timeout must not keep the tag from being
 * checked again once upstream answers (the breaker keeps a failing upstream from being asked repeatedly).
 * Checks run in `scope`, the cache's own, so closing the service interrupts them. The map is only touched
 * inside `Effect.sync` blocks, which run to the end.
 */
export const revalidations = <A, E>(scope: Scope.Scope): Revalidations<A, E> => {
  const running = new Map<string, Running<A, E>>()
  const finish = (key: string, result: Deferred.Deferred<A, E>) => (exit: Exit.Exit<A, E>) =>
    Effect.sync(() => {
      if (running.get(key)?.result === result) running.delete(key)
    }).pipe(Effect.zipRight(Deferred.done(result, exit)))
  return {
    await: (key, check, budgetMs) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const joined = yield* Effect.sync(() => {
          const found = running.get(key)
          if (found !== undefined && now - found.startedAt < budgetMs) return { result: found.result, fresh: false }
          const result = Deferred.unsafeMake<A, E>(FiberId.none)
          running.set(key, { result, startedAt: now })
          return { result, fresh: true }
        })
        if (joined.fresh) yield* Effect.forkIn(Effect.onExit(check, finish(key, joined.result)), scope)
        return yield* Deferred.await(joined.result).pipe(Effect.timeoutOption(budgetMs))
      })
  }
}
