import type { JsonObject } from "../domain/Json.js"
import type { RecordedEvent } from "./ports/EventStore.js"
import type { ProjectorShape, ReadModelChange } from "./ports/Projector.js"
import type { ReadModelRow } from "./ports/ReadModels.js"

const rowKey = (kind: string, id: string): string => `${kind}\u0000${id}`

/** Read models held in memory: used by the memory store, by replay, and by `audit verify`. */
export class ReadModelMap {
  private readonly rows = new Map<string, ReadModelRow>()

  get(kind: string, id: string): JsonObject | undefined {
    return this.rows.get(rowKey(kind, id))?.doc
  }

  applyChange(change: ReadModelChange): void {
    const key = rowKey(change.kind, change.id)
    const next = change.update(this.rows.get(key)?.doc)
    if (next === undefined) this.rows.delete(key)
    else this.rows.set(key, { kind: change.kind, id: change.id, doc: next })
  }

  apply(projector: ProjectorShape, event: RecordedEvent): void {
    for (const change of projector(event)) this.applyChange(change)
  }

  *rowsOf(kind: string): Iterable<ReadModelRow> {
    for (const row of this.rows.values()) if (row.kind === kind) yield row
  }

  /** Rows ordered by kind then id, the order every store's `snapshot` uses. */
  sorted(): ReadonlyArray<ReadModelRow> {
    return [...this.rows.values()].sort((a, b) =>
      a.kind === b.kind ? compareText(a.id, b.id) : compareText(a.kind, b.kind)
    )
  }

  get size(): number {
    return this.rows.size
  }
}

/** Byte-wise comparison, matching Postgres' `COLLATE "C"` so every store sorts alike. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
