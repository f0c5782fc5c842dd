import type { JsonObject } from "./Json.js"

/**
 * A change to one read-model row: given the current document (or undefined when there is none) the new one
 * (or undefined to delete it). Pure, so a store can run it inside its append transaction.
 */
export interface ReadModelChange {
  readonly kind: string
  readonly id: string
  readonly update: (current: JsonObject | undefined) => JsonObject | undefined
}
