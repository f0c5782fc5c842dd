import { Effect } from "effect"
import { checkpointOf, EventStore, type RecordedEvent, startOfLog } from "../ports/EventStore.js"

const PAGE = 5_000

/** Visits every event of the log in reading order (by transaction, then position), a page at a time, so memory does not grow with the log. */
export const scanLog = (visit: (event: RecordedEvent) => void) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    let after = startOfLog
    let count = 0
    while (true) {
      const page = yield* store.readAll(after, PAGE)
      for (const event of page) visit(event)
      count += page.length
      const last = page.at(-1)
      if (last === undefined || page.length < PAGE) return count
      after = checkpointOf(last)
    }
  })
