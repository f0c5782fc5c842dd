import { Data, Effect } from "effect"

/** The keys' shelf could not be read or written, or holds something that is not a key we wrote. */
export class JwtKeyRingError extends Data.TaggedError("JwtKeyRingError")<{ readonly message: string }> {}

const describeCause = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

export const attempt = <A>(action: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => new JwtKeyRingError({ message: `${action}: ${describeCause(cause)}` }) })

/** One key as its shelf holds it: the JSON text, under its generation. */
export interface StoredKey {
  readonly generation: number
  /** Where it is, for messages (a file path, a row name). */
  readonly where: string
  readonly text: string
}

/**
 * Where the ring's keys live: a directory under DATA_DIR (`keyDirectory`), or the database, sealed with
 * ENCRYPTION_KEY (`sealedKeyShelf`, ADR 0024). Keys are named by generation rather than by kid: the first key is
 * always generation 1, so two processes creating it race for the same name and `claim` lets exactly one win.
 */
export interface KeyShelf {
  /** For messages: "/data/jwt-keys", "the database". */
  readonly describe: string
  readonly list: Effect.Effect<ReadonlyArray<StoredKey>, JwtKeyRingError>
  /** Stores the key under `generation` unless that name is taken; true when this call stored it. */
  readonly claim: (generation: number, text: string) => Effect.Effect<boolean, JwtKeyRingError>
  /** Deleting a key already gone is fine: a replica rotating at the same time deleted it first. */
  readonly remove: (generation: number) => Effect.Effect<void, JwtKeyRingError>
}

