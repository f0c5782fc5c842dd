import { Either } from "effect"
import type { Decider } from "../Decider.js"
import type { BlobEvent, ManifestEvent } from "./CacheEvents.js"

/**
 * Reads are recorded for TTL cleanup, but at most once per entry per interval however many pulls happen
 * (SPEC §5): deciding against the stream makes concurrent pulls agree on one event.
 */
export interface RecordRead {
  readonly at: Date
  readonly minIntervalMs: number
}

const due = (last: Date | undefined, command: RecordRead) =>
  last === undefined || command.at.getTime() - last.getTime() >= command.minIntervalMs

/** Manifest streams hold several digests: the state is the last read of each. */
export const ManifestReads: Decider<RecordRead & { readonly digest: string; readonly tag: string | null }, ManifestEvent, ReadonlyMap<string, Date>, never> = {
  initialState: new Map(),
  evolve: (state, event) => {
    if (event._tag !== "ManifestRead") return state
    const next = new Map(state)
    next.set(event.digest, event.at)
    return next
  },
  decide: (command, state) =>
    Either.right(due(state.get(command.digest), command) ? [{ _tag: "ManifestRead", tag: command.tag, digest: command.digest, at: command.at }] : [])
}

export const BlobReads: Decider<RecordRead, BlobEvent, Date | undefined, never> = {
  initialState: undefined,
  evolve: (state, event) => (event._tag === "BlobRead" ? event.at : state),
  decide: (command, state) => Either.right(due(state, command) ? [{ _tag: "BlobRead", at: command.at }] : [])
}
