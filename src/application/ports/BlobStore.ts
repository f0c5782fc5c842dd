import { Context, Data, Effect, Option, type Stream } from "effect"

/** The store's medium failed (disk full, permissions, I/O error). */
export class BlobStoreError extends Data.TaggedError("BlobStoreError")<{ readonly message: string }> {}

/** The bytes written do not hash to the digest they were written under: nothing is kept. */
export class DigestMismatch extends Data.TaggedError("DigestMismatch")<{ readonly expected: string; readonly actual: string }> {
  override get message() {
    return `digest mismatch: the bytes hash to ${this.actual}, not ${this.expected}`
  }
}

/** An inclusive byte range. */
export interface ByteRange {
  readonly start: number
  readonly end: number
}

/**
 * A blob being written: invisible to `size` and `read` until `commit`, which verifies the sha256 computed on
 * the way, makes the bytes durable and only then moves them into place; a store may start making them durable
 * while they arrive, so that `commit` does not wait in proportion to the blob's size. Bytes appended so far
 * can be read back by position while it grows, for clients of a transfer that fell behind the bytes their
 * transfer keeps in memory.
 */
export interface BlobWrite {
  /** Appends one chunk and waits until the store holds it. */
  readonly append: (chunk: Uint8Array) => Effect.Effect<void, BlobStoreError>
  /**
   * Takes consecutive chunks (a run of socket reads) as one write: the digest computed on the way covers them
   * at once, and the inner effect waits until the store holds them. Runs may be taken before the previous
   * ones are in the store; they land in the order taken. The chunks must not change afterwards.
   */
  readonly appendRun: (chunks: ReadonlyArray<Uint8Array>) => Effect.Effect<Effect.Effect<void, BlobStoreError>, BlobStoreError>
  /** Whether the bytes taken so far hash to the digest: a transfer's clients may have their last byte then. */
  readonly verify: Effect.Effect<void, DigestMismatch>
  /** Bytes the store holds (a prefix of those taken). */
  readonly written: Effect.Effect<number>
  /** Bytes `[start, end)` of what has been appended; usable until `release`, also after `commit`. */
  readonly readWritten: (start: number, end: number) => Effect.Effect<Uint8Array, BlobStoreError>
  readonly commit: Effect.Effect<void, DigestMismatch | BlobStoreError>
  /** Discards the bytes (a failed or corrupt download); nothing is left behind. */
  readonly abort: Effect.Effect<void>
  /** Frees what readers of the growing blob needed; call once nobody reads it any more. */
  readonly release: Effect.Effect<void>
}

export type BlobCheck = "ok" | "missing" | "corrupt"

/**
 * An open blob file, stored or still being written, read by position. Replicas sharing one store use it to
 * follow a download another process makes: the bytes below `size` are final, whoever writes the rest.
 */
export interface BlobReader {
  /** Which write (or stored file) it reads: a new id for the same digest means another process's new attempt. */
  readonly id: string
  /** Bytes present now. */
  readonly size: Effect.Effect<number, BlobStoreError>
  /** Bytes `[start, end)`, fewer if fewer are present. */
  readonly read: (start: number, end: number) => Effect.Effect<Uint8Array, BlobStoreError>
  readonly close: Effect.Effect<void>
}

/**
 * Content-addressed blob bytes (and cached manifest bodies), shared by all groups: who may read what is the
 * cache index's business, not the store's. Filesystem in production; object storage can follow.
 */
export interface BlobStoreShape {
  readonly size: (digest: string) => Effect.Effect<Option.Option<number>, BlobStoreError>
  readonly read: (digest: string, range: ByteRange | null) => Effect.Effect<Stream.Stream<Uint8Array, BlobStoreError>, BlobStoreError>
  /**
   * Where a stored blob's bytes are on this machine's disk, for an edge that can send a file itself (far
   * cheaper than pumping a stream); none for stores without local files. Says nothing about whether the file
   * exists: `size` does.
   */
  readonly localFile: (digest: string) => Option.Option<string>
  /**
   * A URL a client may fetch the stored blob from directly (a pre-signed GET, `S3_REDIRECT`), valid from `now`
   * until no later than `validUntil`; none for stores that serve only through this process, or when too little
   * time is left to be worth a redirect. Says nothing about whether the blob exists: `size` does.
   */
  readonly directUrl: (digest: string, validUntil: Date, now: Date) => Option.Option<string>
  readonly begin: (digest: string) => Effect.Effect<BlobWrite, BlobStoreError>
  /** The newest write of `digest` in progress, by this or any process sharing the store; none if there is none. */
  readonly openPartial: (digest: string) => Effect.Effect<Option.Option<BlobReader>, BlobStoreError>
  /**
   * This process's own write `writeId` of `digest`, while in progress: the bytes written so far, for the peers
   * whose clients follow it (ADR 0025). None for anything else; stores without peers have none.
   */
  readonly openWriting: (digest: string, writeId: string) => Effect.Effect<Option.Option<BlobReader>, BlobStoreError>
  /** The stored (verified) blob, opened for positional reads; none if it is not stored. */
  readonly openStored: (digest: string) => Effect.Effect<Option.Option<BlobReader>, BlobStoreError>
  readonly remove: (digest: string) => Effect.Effect<void, BlobStoreError>
  /** Every stored blob, with when it was stored (collection spares young files). */
  readonly list: Effect.Effect<ReadonlyArray<{ readonly digest: string; readonly size: number; readonly storedAt: Date }>, BlobStoreError>
  /** Re-hashes a stored blob against its digest (`fsck`). */
  readonly check: (digest: string) => Effect.Effect<BlobCheck, BlobStoreError>
}

export class BlobStore extends Context.Tag("dependency-proxy/BlobStore")<BlobStore, BlobStoreShape>() {}

/** `openWriting` of a store whose writes peers follow through the store itself (a shared directory, memory). */
export const noWritesForPeers = (_digest: string, _writeId: string): Effect.Effect<Option.Option<BlobReader>, BlobStoreError> =>
  Effect.succeed(Option.none())
