import type { JsonObject } from "./Json.js"

/**
 * A document as a replay holds it between changes: usually the decoded value, turned into JSON only when it is
 * read or written out. `json()` may encode on every call; whoever keeps the result keeps the JSON instead.
 */
export interface HeldDoc {
  readonly json: () => JsonObject
}

/** A document already in its JSON form. */
export const heldJson = (doc: JsonObject): HeldDoc => ({ json: () => doc })

/**
 * A change to one read-model row: given the current document (or undefined when there is none) the new one
 * (or undefined to delete it). Pure, so a store can run it inside its append transaction.
 */
export interface ReadModelChange {
  readonly kind: string
  readonly id: string
  readonly update: (current: JsonObject | undefined) => JsonObject | undefined
  /**
   * The same change on a held document, when the projector offers it: a replay folds thousands of changes into
   * one document, and this way decodes and encodes it once instead of at every change.
   */
  readonly updateHeld?: (current: HeldDoc | undefined) => HeldDoc | undefined
}
