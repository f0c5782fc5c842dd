import type * as SqlClient from "@effect/sql/SqlClient"
import { Data, Effect, Schema } from "effect"
import type { SecretBoxShape } from "../../application/ports/SecretBox.js"
import { EncryptedSecret } from "../../domain/EncryptedSecret.js"

/** The table could not be read or written, or a row did not open with the configured ENCRYPTION_KEY. */
export class SealedSecretsError extends Data.TaggedError("SealedSecretsError")<{ readonly message: string }> {}

export interface SealedSecret {
  readonly name: string
  readonly plaintext: string
}

/**
 * Named secrets in `instance_secrets`, sealed with the SecretBox (ENCRYPTION_KEY), so replicas that share only
 * the database share them (ADR 0024). Plaintext never reaches the database or a message.
 */
export interface SealedSecrets {
  /** Every secret whose name starts with `prefix`, opened. */
  readonly list: (prefix: string) => Effect.Effect<ReadonlyArray<SealedSecret>, SealedSecretsError>
  /** Stores `plaintext` under `name` unless the name is taken; true when this call stored it. */
  readonly claim: (name: string, plaintext: string) => Effect.Effect<boolean, SealedSecretsError>
  readonly remove: (name: string) => Effect.Effect<void, SealedSecretsError>
}

const Row = Schema.Struct({ name: Schema.String, sealed: Schema.Union(EncryptedSecret, Schema.parseJson(EncryptedSecret)) })
const decodeRows = Schema.decodeUnknown(Schema.Array(Row))

const failed = (action: string) => (cause: { readonly message: string }) =>
  new SealedSecretsError({ message: `${action}: ${cause.message}` })

export const sealedSecrets = (sql: SqlClient.SqlClient, box: SecretBoxShape): SealedSecrets => ({
  list: (prefix) =>
    Effect.gen(function*() {
      // `like` with the prefix's own wildcards escaped: names are ours, but a prefix must mean only a prefix.
      const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      const rows = yield* sql`select name, sealed from instance_secrets where name like ${pattern} order by name`.pipe(
        Effect.flatMap(decodeRows),
        Effect.mapError(failed("cannot read instance_secrets"))
      )
      return yield* Effect.forEach(rows, (row) =>
        box.open(row.sealed).pipe(
          Effect.map((plaintext): SealedSecret => ({ name: row.name, plaintext })),
          Effect.mapError(() =>
            new SealedSecretsError({
              message: `instance secret ${row.name} does not open with ENCRYPTION_KEY (sealed by key ${row.sealed.keyId}); every replica needs the same ENCRYPTION_KEY`
            }))
        ))
    }),
  claim: (name, plaintext) =>
    Effect.gen(function*() {
      const sealed = yield* box.seal(plaintext)
      const inserted = yield* sql`
        insert into instance_secrets (name, sealed) values (${name}, ${JSON.stringify(sealed)}::jsonb)
        on conflict (name) do nothing
        returning name`.pipe(Effect.mapError(failed(`cannot store instance secret ${name}`)))
      return inserted.length === 1
    }),
  remove: (name) =>
    sql`delete from instance_secrets where name = ${name}`.pipe(
      Effect.asVoid,
      Effect.mapError(failed(`cannot delete instance secret ${name}`))
    )
})
