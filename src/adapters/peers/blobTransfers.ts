import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Option, Schema } from "effect"
import { BlobStoreError } from "../../application/ports/BlobStore.js"

/** A write of a blob in progress on some replica, and where that replica serves its bytes so far. */
export interface BlobTransfer {
  readonly writeId: string
  readonly peerUrl: string
}

/**
 * The `blob_transfers` table (ADR 0025): which replica writes a digest now. A hint only, trusted while the
 * digest's lease is held; the follower checks that itself.
 */
export interface BlobTransfers {
  /** This process (at `peerUrl`) writes `digest` as `writeId`; replaces a row a killed writer left. */
  readonly announce: (digest: string, writeId: string) => Effect.Effect<void, BlobStoreError>
  /** The write ended; a newer writer's row is left alone. */
  readonly withdraw: (digest: string, writeId: string) => Effect.Effect<void, BlobStoreError>
  readonly find: (digest: string) => Effect.Effect<Option.Option<BlobTransfer>, BlobStoreError>
  /** Where this process serves its own writes. */
  readonly peerUrl: string
}

const Rows = Schema.Array(Schema.Struct({ write_id: Schema.String, peer_url: Schema.String }))

const failed = (action: string) => (cause: { readonly message: string }) => new BlobStoreError({ message: `${action}: ${cause.message}` })

export const blobTransfers = (sql: SqlClient.SqlClient, peerUrl: string): BlobTransfers => ({
  peerUrl,
  announce: (digest, writeId) =>
    sql`
      insert into blob_transfers (digest, write_id, peer_url) values (${digest}, ${writeId}, ${peerUrl})
      on conflict (digest) do update set write_id = excluded.write_id, peer_url = excluded.peer_url, started_at = now()`.pipe(
      Effect.asVoid,
      Effect.mapError(failed("cannot record the blob transfer"))
    ),
  withdraw: (digest, writeId) =>
    sql`delete from blob_transfers where digest = ${digest} and write_id = ${writeId}`.pipe(
      Effect.asVoid,
      Effect.mapError(failed("cannot remove the blob transfer"))
    ),
  find: (digest) =>
    sql`select write_id, peer_url from blob_transfers where digest = ${digest}`.pipe(
      Effect.flatMap(Schema.decodeUnknown(Rows)),
      Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row): BlobTransfer => ({ writeId: row.write_id, peerUrl: row.peer_url }))),
      Effect.mapError(failed("cannot read the blob transfer"))
    )
})
