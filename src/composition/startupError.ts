import { Data } from "effect"

/** Start-up failed for a reason outside the program (database unreachable, data directory not writable). */
export class StartupError extends Data.TaggedError("StartupError")<{ readonly message: string }> {}

export const startupError = (what: string) => (cause: { readonly message: string }) =>
  new StartupError({ message: `${what}: ${cause.message}` })

