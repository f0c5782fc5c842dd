import { readdirSync } from "node:fs"

/** Every migration file, in the order `migrate` applies them: what a fresh database must end up with. */
export const migrationNames: ReadonlyArray<string> = readdirSync(new URL("../../../migrations/", import.meta.url))
  .filter((name) => name.endsWith(".sql"))
  .sort()
