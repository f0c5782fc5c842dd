import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { eventHash } from "../../src/application/eventHash.js"
import type { EventMetadata, RecordedEvent, StreamWrite } from "../../src/application/ports/EventStore.js"

/** Each stream's last hash, so rows written directly continue the chains the store started. */
export class ChainHeads {
  private readonly heads = new Map<string, string>()

  remember(recorded: ReadonlyArray<RecordedEvent>): void {
    for (const event of recorded) this.heads.set(event.streamId, event.hash)
  }

  /** The rows `EventStore.append` would insert for these writes, hashes chained as it chains them. */
  rows(writes: ReadonlyArray<StreamWrite>, metadata: EventMetadata, recordedAt: Date) {
    return writes.flatMap((write) =>
      write.events.map((event, index) => {
        const prevHash = this.heads.get(write.streamId) ?? ""
        const streamVersion = write.expectedVersion + index + 1
        const hash = eventHash({ prevHash, streamId: write.streamId, streamVersion, ...event, metadata, recordedAt })
        this.heads.set(write.streamId, hash)
        return {
          stream_id: write.streamId,
          stream_version: streamVersion,
          event_type: event.type,
          schema_version: event.schemaVersion,
          // JSON text: both drivers hand it to a jsonb column untouched, as the store's own read-model writes do.
          payload: JSON.stringify(event.payload),
          metadata: JSON.stringify(metadata),
          recorded_at: recordedAt.toISOString(),
          prev_hash: prevHash,
          hash
        }
      })
    )
  }
}

/**
 * One multi-row insert into `events` (9 parameters a row, far below Postgres' 65,535 for 1,000 rows). No
 * read-model writes: `replay` derives them from the log, and replay is what this log is for.
 */
export const insertRows = (rows: ReadonlyArray<Record<string, string | number>>) =>
  SqlClient.SqlClient.pipe(Effect.flatMap((sql) => sql`insert into events ${sql.insert(rows)}`), Effect.asVoid)
