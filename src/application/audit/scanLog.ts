import { Clock, Duration, Effect } from "effect"
import { checkpointOf, compareCheckpoints, EventStore, EventStoreUnavailable, type RecordedEvent, startOfLog } from "../ports/EventStore.js"

const PAGE = 5_000

export interface ScanOptions {
  /** How long the scan waits for transactions in flight to let readers reach the log's end before it fails. */
  readonly heldBackAtMost?: Duration.DurationInput
}

/**
 * Visits every event of the log in reading order (by transaction, then position), a page at a time, so memory does
 * not grow with the log; returns how many it visited.
 *
 * The whole log as committed when the scan began, whatever is in flight: a page of `readAll` is also short
 * when a transaction in flight (of any writer of this database) holds readers back, so a short page is the end
 * only once the scan has passed the log's committed end taken at the start. Until then it waits, reading again
 * from where it stopped, without blocking appends (replay's lock would). A transaction that stays open longer
 * than `heldBackAtMost` (a forgotten `psql` session) fails the scan: an audit must not report part of the log as
 * the whole.
 */
export const scanLog = (visit: (event: RecordedEvent) => void, options?: ScanOptions) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const end = yield* store.committedEnd
    const heldBackAtMost = Duration.decode(options?.heldBackAtMost ?? "60 seconds")
    let after = startOfLog
    let count = 0
    let heldBackSince: number | undefined
    let waited = 0
    while (true) {
      const page = yield* store.readAll(after, PAGE)
      for (const event of page) visit(event)
      count += page.length
      const last = page.at(-1)
      if (last !== undefined) after = checkpointOf(last)
      if (page.length === PAGE) continue
      if (compareCheckpoints(after, end) >= 0) return count
      if (page.length > 0) {
        heldBackSince = undefined
        waited = 0
      }
      // The effect's clock, as `Effect.sleep` below uses: a test clock moves both.
      const now = yield* Clock.currentTimeMillis
      heldBackSince ??= now
      if (now - heldBackSince > Duration.toMillis(heldBackAtMost)) {
        return yield* new EventStoreUnavailable({
          message: `the log cannot be read to its end: a transaction in flight has held readers back at transaction ` +
            `${after.transactionId}, position ${after.position} for over ${Duration.format(heldBackAtMost)} ` +
            `(${count} events read; the log's end is at transaction ${end.transactionId}, position ${end.position})`
        })
      }
      // From 20 ms, half as long again each time, at most a second: short waits for appends, patience for more.
      yield* Effect.sleep(Duration.millis(Math.min(1_000, 20 * 1.5 ** waited)))
      waited += 1
    }
  })
