import { Context, type Effect, type Stream } from "effect"
import type { LogCheckpoint } from "../../application/ports/EventStore.js"

/**
 * How processes sharing one database tell each other that the log moved on: Postgres `NOTIFY` after each
 * commit, `LISTEN` in every process. An adapter detail of the SQL store, absent for PGlite (one process). The
 * Postgres implementation is in `PostgresCommitSignal.ts`, so the PGlite path never loads `pg`.
 */
export interface CommitSignalShape {
  /** Tells the other processes the checkpoint of a commit's last event, once it has committed. */
  readonly announce: (checkpoint: LogCheckpoint) => Effect.Effect<void>
  /**
   * The same announcement as a statement to run inside the committing transaction, which delivers it when (and
   * only if) the transaction commits: an append sends it with its commit, in the same message, instead of a
   * round trip of its own afterwards (ADR 0030).
   */
  readonly announcementInCommit: (checkpoint: LogCheckpoint) => string
  /** Checkpoints committed by any process; fails when the connection drops (the store then resubscribes). */
  readonly heard: Stream.Stream<LogCheckpoint, unknown>
}

export class CommitSignal extends Context.Tag("dependency-proxy/sql/CommitSignal")<CommitSignal, CommitSignalShape>() {}
