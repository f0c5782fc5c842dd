import type { JsonObject } from "../domain/Json.js"
import type { HeldDoc } from "../domain/ReadModelChange.js"
import type { ProjectedEvent, ProjectorShape, ReadModelChange } from "./ports/Projector.js"
import type { ReadModelRow } from "./ports/ReadModels.js"

const rowKey = (kind: string, id: string): string => `${kind}\u0000${id}`

interface HeldRow {
  readonly kind: string
  readonly id: string
  held: HeldDoc
}

/**
 * Read models held in memory: used by the memory store, by replay, by `audit verify` and the live view.
 * Documents stay as the projector's changes leave them (decoded, where it offers `updateHeld`) until someone
 * reads them, so a replay that changes a document a thousand times encodes it once. A read keeps the JSON and
 * lets the decoded value go, so a long-lived map holds each document once.
 */
export class ReadModelMap {
  private readonly rows = new Map<string, HeldRow>()

  get(kind: string, id: string): JsonObject | undefined {
    const row = this.rows.get(rowKey(kind, id))
    return row === undefined ? undefined : settle(row)
  }

  applyChange(change: ReadModelChange): void {
    const key = rowKey(change.kind, change.id)
    const row = this.rows.get(key)
    const next = change.updateHeld !== undefined
      ? change.updateHeld(row?.held)
      : heldOrUndefined(change.update(row === undefined ? undefined : settle(row)))
    if (next === undefined) this.rows.delete(key)
    else if (row !== undefined) row.held = next
    else this.rows.set(key, { kind: change.kind, id: change.id, held: next })
  }

  apply(projector: ProjectorShape, event: ProjectedEvent): void {
    for (const change of projector(event)) this.applyChange(change)
  }

  *rowsOf(kind: string): Iterable<ReadModelRow> {
    for (const row of this.rows.values()) if (row.kind === kind) yield { kind: row.kind, id: row.id, doc: settle(row) }
  }

  /** Rows ordered by kind then id, the order every store's `snapshot` uses. */
  sorted(): ReadonlyArray<ReadModelRow> {
    return this.sortedRows().map((row) => ({ kind: row.kind, id: row.id, doc: settle(row) }))
  }

  /**
   * The rows of `sorted`, `size` at a time, for a reader that writes them out once and then drops the map (a
   * replay): each chunk's documents are encoded when its function is called, and not kept, so the map does not
   * grow a JSON copy of every document, and a writer can send one chunk while the next is encoded.
   */
  sortedChunks(size: number): ReadonlyArray<() => ReadonlyArray<ReadModelRow>> {
    const rows = this.sortedRows()
    const chunks: Array<() => ReadonlyArray<ReadModelRow>> = []
    for (let start = 0; start < rows.length; start += size) {
      const chunk = rows.slice(start, start + size)
      chunks.push(() => chunk.map((row) => ({ kind: row.kind, id: row.id, doc: row.held.json() })))
    }
    return chunks
  }

  private sortedRows(): ReadonlyArray<HeldRow> {
    return [...this.rows.values()].sort((a, b) => (a.kind === b.kind ? compareText(a.id, b.id) : compareText(a.kind, b.kind)))
  }

  get size(): number {
    return this.rows.size
  }
}

const heldOrUndefined = (doc: JsonObject | undefined): HeldDoc | undefined => (doc === undefined ? undefined : new SettledDoc(doc))

/** A document already turned into JSON by a read. */
class SettledDoc implements HeldDoc {
  constructor(private readonly doc: JsonObject) {}
  json(): JsonObject {
    return this.doc
  }
}

/** The row's JSON, kept in place of the decoded value so it is encoded once however often it is read. */
const settle = (row: HeldRow): JsonObject => {
  if (row.held instanceof SettledDoc) return row.held.json()
  const doc = row.held.json()
  row.held = new SettledDoc(doc)
  return doc
}

/** Byte-wise comparison, matching Postgres' `COLLATE "C"` so every store sorts alike. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
