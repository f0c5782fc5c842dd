import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer } from "effect"
import * as FileBlobStore from "../adapters/filesystem/FileBlobStore.js"
import { blobTransfers } from "../adapters/peers/blobTransfers.js"
import { peerKey } from "../adapters/peers/peerAuth.js"
import * as S3BlobStore from "../adapters/s3/S3BlobStore.js"
import type { Config } from "../config.js"

/**
 * The key replicas on S3 sign peer requests with (ADR 0025), when they can have peers: a shared database and
 * ENCRYPTION_KEY (required together with S3, config.ts). Null otherwise: no peer route, no peer reads.
 */
export const peerKeyOf = (config: Config): Buffer | null =>
  config.blobStorage.kind === "s3" && config.databaseUrl !== null && config.encryptionKey !== null ? peerKey(config.encryptionKey) : null

/**
 * Blob bytes under DATA_DIR/blobs, or in the S3 bucket configured (writes in progress spool under DATA_DIR/spool;
 * with peers, they are announced in the database and served to peers, ADR 0025).
 */
export const blobStoreLayer = (config: Config) => {
  const storage = config.blobStorage
  if (storage.kind !== "s3") return FileBlobStore.layer(join(config.dataDir, "blobs"))
  const options = { ...storage, spoolDir: join(config.dataDir, "spool") }
  const key = peerKeyOf(config)
  return key === null
    ? S3BlobStore.layer(options)
    : Layer.unwrapEffect(Effect.map(SqlClient.SqlClient, (sql) => S3BlobStore.layer({ ...options, peers: { transfers: blobTransfers(sql, config.peerUrl), key } })))
}
