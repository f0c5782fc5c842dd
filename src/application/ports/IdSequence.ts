import { Context, type Effect } from "effect"
import type { EventStoreUnavailable } from "./EventStore.js"

/** GitLab-style integer ids, one sequence per kind of entity (user, group, token): 1, 2, 3, … */
export interface IdSequenceShape {
  readonly next: (kind: string) => Effect.Effect<number, EventStoreUnavailable>
}

export class IdSequence extends Context.Tag("dependency-proxy/IdSequence")<IdSequence, IdSequenceShape>() {}
