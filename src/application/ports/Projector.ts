import { Context } from "effect"
import type { ReadModelChange } from "../../domain/ReadModelChange.js"
import type { RecordedEvent } from "./EventStore.js"

export type { ReadModelChange }

/** Maps a stored event to the read-model changes it causes. Pure and synchronous. */
export type ProjectorShape = (event: RecordedEvent) => ReadonlyArray<ReadModelChange>

export class Projector extends Context.Tag("dependency-proxy/Projector")<Projector, ProjectorShape>() {}
