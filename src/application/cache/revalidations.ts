import { Clock, Deferred, Effect, type Exit, FiberId, Option, type Scope } from "effect"

export interface Revalidations<A, E> {
  /**
   * The result of the check of `key`, if it comes within the check's budget: joins the running check, or
   * starts `check` in the background. None: the budget ran out (or had already, or the last check of the
   * key overran it), while the check goes on and updates the cache for the next pull.
   */
  readonly await: (key: string, check: Effect.Effect<A, E>, budgetMs: number) => Effect.Effect<Option.Option<A>, E>
}

interface Running<A, E> {
  readonly result: Deferred.Deferred<A, E>
  readonly startedAt: number
}

/** Keys whose last check overran its budget are remembered up to this many; the oldest go first. */
const SLOW_KEYS = 10_000

/**
 * One upstream check per cached tag at a time (ADR 0012): concurrent pulls of a tag share one HEAD, and a
 * client that stops waiting (or hangs up) does not stop it. The budget is the check's: a pull joining it
 * waits only for what is left, a pull finding it past its budget does not wait at all, and while the last
 * check of a tag overran its budget nobody waits for the next one either (it runs in the background and,
 * once one answers in time, pulls wait for checks again). So an upstream that hangs costs each tag one wait
 * of the budget, not one per check. Checks run in `scope`, the cache's own, so closing the service interrupts
 * them. The maps are only touched inside `Effect.sync` blocks, which run to the end.
 */
export const revalidations = <A, E>(scope: Scope.Scope): Revalidations<A, E> => {
  const running = new Map<string, Running<A, E>>()
  const slow = new Set<string>()
  const finish = (key: string, started: Running<A, E>, budgetMs: number) => (exit: Exit.Exit<A, E>) =>
    Clock.currentTimeMillis.pipe(
      Effect.flatMap((now) =>
        Effect.sync(() => {
          if (running.get(key) === started) running.delete(key)
          slow.delete(key)
          if (now - started.startedAt < budgetMs) return
          slow.add(key)
          if (slow.size > SLOW_KEYS) slow.delete(slow.values().next().value ?? key)
        })
      ),
      Effect.zipRight(Deferred.done(started.result, exit))
    )
  return {
    await: (key, check, budgetMs) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const { current, fresh, wait } = yield* Effect.sync(() => {
          const wait = !slow.has(key)
          const found = running.get(key)
          if (found !== undefined) return { current: found, fresh: false, wait }
          const started: Running<A, E> = { result: Deferred.unsafeMake<A, E>(FiberId.none), startedAt: now }
          running.set(key, started)
          return { current: started, fresh: true, wait }
        })
        if (fresh) yield* Effect.forkIn(Effect.onExit(check, finish(key, current, budgetMs)), scope)
        const left = current.startedAt + budgetMs - now
        if (!wait || left <= 0) return Option.none()
        return yield* Deferred.await(current.result).pipe(Effect.timeoutOption(left))
      })
  }
}
