import { Effect } from "effect"
import type { SealedSecrets } from "../sql/SealedSecrets.js"
import { JwtKeyRingError, type KeyShelf, type StoredKey } from "./keyShelf.js"

const PREFIX = "jwt-key-"
const nameOf = (generation: number) => `${PREFIX}${String(generation).padStart(8, "0")}`
const NAME = /^jwt-key-(\d{8})$/

const asRingError = <A, R>(effect: Effect.Effect<A, { readonly message: string }, R>) =>
  Effect.mapError(effect, (error) => new JwtKeyRingError({ message: error.message }))

/**
 * The keys in the database's `instance_secrets`, sealed with ENCRYPTION_KEY (ADR 0024): replicas that share only
 * Postgres share the ring, and a rotation by one is seen by the others on their next read. The primary key on
 * the name lets exactly one writer win a generation, as the exclusive link does in a directory.
 */
export const sealedKeyShelf = (secrets: SealedSecrets): KeyShelf => ({
  describe: "the database (instance_secrets)",
  list: asRingError(secrets.list(PREFIX)).pipe(
    Effect.map((rows) =>
      rows.flatMap((row): ReadonlyArray<StoredKey> => {
        const digits = NAME.exec(row.name)?.[1]
        return digits === undefined ? [] : [{ where: `instance secret ${row.name}`, generation: Number(digits), text: row.plaintext }]
      })
    )
  ),
  claim: (generation, text) => asRingError(secrets.claim(nameOf(generation), text)),
  remove: (generation) => asRingError(secrets.remove(nameOf(generation)))
})
