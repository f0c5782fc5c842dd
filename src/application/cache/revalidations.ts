import { Clock, Deferred, Effect, type Exit, FiberId, Option, type Scope } from "effect"

export interface Revalidations<A, E> {
  /**
   * The result of the check of `key`, if it comes within the check's budget: joins the running check, or
   * starts `check` in the background. None: the budget ran out (or had already), while the check goes on
   * and updates the cache for the next pull.
   */
  readonly await: (key: string, check: Effect.Effect<A, E>, budgetMs: number) => Effect.Effect<Option.Option<A>, E>
}

interface Running<A, E> {
  readonly result: Deferred.Deferred<A, E>
  readonly startedAt: number
}

/**
 * One upstream check per cached tag at a time (ADR 0012): concurrent pulls of a tag share one HEAD, and a
 * client that stops waiting (or hangs up) does not stop it. The budget is the check's: a pull joining it
 * waits only for what is left, and a pull finding it past its budget does not wait at all. So with an upstream
 * that hangs, one pull per check waits the budget and the others are answered at once; the next check starts
 * when this one ends (at the latest when the upstream client's timeouts end it). Checks run in `scope`, the
 * cache's own, so closing the service interrupts them. The map is only touched inside `Effect.sync` blocks,
 * which run to the end.
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
        const { current, fresh } = yield* Effect.sync(() => {
          const found = running.get(key)
          if (found !== undefined) return { current: found, fresh: false }
          const started: Running<A, E> = { result: Deferred.unsafeMake<A, E>(FiberId.none), startedAt: now }
          running.set(key, started)
          return { current: started, fresh: true }
        })
        if (fresh) yield* Effect.forkIn(Effect.onExit(check, finish(key, current.result)), scope)
        const left = current.startedAt + budgetMs - now
        if (left <= 0) return Option.none()
        return yield* Deferred.await(current.result).pipe(Effect.timeoutOption(left))
      })
  }
}
