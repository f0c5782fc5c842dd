import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { readableBound, readingOrder } from "../../src/adapters/sql/logOrder.js"

/**
 * What to look at when `audit verify` fails on the bench log: where each stretch of positions sits in the reading
 * order (transaction ids per 100,000 positions), the broken stream's first events, the first rows in reading order
 * and the bound readers had. Printed with the run, since the temporary database is gone afterwards. It showed
 * the cause of the failures of 2026-12-06 (21,529 and 80,134 events read): the first rows in reading order were
 * transaction 10,000's, the log read in the text order of its ids (ADR 0013's amendment).
 */
export const logOrderEvidence = (streamId: string | null) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const stretches = yield* sql`select global_position / 100000 as hundred_thousands, count(*) as events,
        min(transaction_id::text::bigint) as first_transaction, max(transaction_id::text::bigint) as last_transaction
      from events group by 1 order by 1`
    const first = yield* sql`select transaction_id::text as transaction_id, global_position, stream_id, stream_version
      from events order by ${readingOrder(sql, "asc")} limit 3`
    const stream = streamId === null ? [] : yield* sql`select stream_version, transaction_id::text as transaction_id, global_position
      from events where stream_id = ${streamId} order by stream_version limit 3`
    const bound = yield* sql`select ${readableBound(sql)}::text as bound, pg_current_snapshot()::text as snapshot`
    return [
      `  log order evidence: positions per 100,000 and their transactions ${JSON.stringify(stretches)}`,
      `  log order evidence: first rows in reading order ${JSON.stringify(first)}`,
      `  log order evidence: ${streamId ?? "(no broken stream)"}'s first events ${JSON.stringify(stream)}`,
      `  log order evidence: readers' bound now ${JSON.stringify(bound)}`
    ]
  })
