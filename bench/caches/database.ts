import { Effect, Exit, Scope } from "effect"
import { freshDatabase } from "../../test/support/postgres/postgresTestDatabase.js"
import type { Cleanups } from "../lib/cleanups.js"

/**
 * A new database on the local Postgres (the test suite's helper, so `TEST_POSTGRES_ADMIN_URL` applies here
 * too), dropped with the run's cleanups.
 */
export const temporaryDatabase = async (cleanups: Cleanups): Promise<string> => {
  const scope = Effect.runSync(Scope.make())
  cleanups.add("drop the bench database", () => Effect.runPromise(Scope.close(scope, Exit.void)))
  return Effect.runPromise(Scope.extend(freshDatabase, scope))
}
