import { Context, type Effect, type Option } from "effect"
import type { JsonObject } from "../../domain/Json.js"
import type { EventStoreUnavailable } from "./EventStore.js"

/** One row of a read model: a document of some kind (user, group, token, …) under an id. */
export interface ReadModelRow {
  readonly kind: string
  readonly id: string
  readonly doc: JsonObject
}

export interface ReplaySummary {
  readonly events: number
  readonly rows: number
}

export interface RebuildOptions {
  /**
   * Check every stored row in full (payload and metadata as JSON of the right shape) before projecting it. By
   * default a replay trusts what the store validated on append and checks only the columns' types.
   */
  readonly verify?: boolean
}

/**
 * The read models derived from the event log. Documents are plain JSON; typed access and decoding live in
 * the application's queries. Writes happen only through `EventStore.append` (same transaction) and `rebuild`.
 */
export interface ReadModelsShape {
  readonly get: (kind: string, id: string) => Effect.Effect<Option.Option<JsonObject>, EventStoreUnavailable>
  readonly list: (kind: string) => Effect.Effect<ReadonlyArray<ReadModelRow>, EventStoreUnavailable>
  /** Every row, ordered by kind then id. */
  readonly snapshot: Effect.Effect<ReadonlyArray<ReadModelRow>, EventStoreUnavailable>
  /**
   * Replays the whole log through the projector into fresh tables and swaps them in, while holding
   * appends back so no event is left out.
   */
  readonly rebuild: (options?: RebuildOptions) => Effect.Effect<ReplaySummary, EventStoreUnavailable>
}

export class ReadModels extends Context.Tag("dependency-proxy/ReadModels")<ReadModels, ReadModelsShape>() {}
