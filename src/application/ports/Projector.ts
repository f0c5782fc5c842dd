import { Context } from "effect"
import type { ReadModelChange } from "../../domain/ReadModelChange.js"
import type { StoredEvent } from "../../domain/readModelDocs.js"

export type { ReadModelChange }

/**
 * What a projector reads of an event: a `RecordedEvent` has all of it. Replay reads only these columns of the
 * log (the hashes, metadata and transaction ids are for audit and readers, not for read models).
 */
export type ProjectedEvent = StoredEvent

/** Maps a stored event to the read-model changes it causes. Pure and synchronous. */
export type ProjectorShape = (event: ProjectedEvent) => ReadonlyArray<ReadModelChange>

export class Projector extends Context.Tag("dependency-proxy/Projector")<Projector, ProjectorShape>() {}
