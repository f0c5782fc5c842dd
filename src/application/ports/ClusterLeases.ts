import { Context, type Effect, type Option } from "effect"

/**
 * Work that one process of several sharing a database should do at a time: the upstream transfer of one
 * blob, the TTL cleanup run. A lease is held until released or until its holder dies, whichever is first, so
 * a killed replica never blocks the others.
 */
export interface ClusterLeasesShape {
  /** The lease on `key` if no process holds it: `Some(release)`; `None` while another process holds it. */
  readonly tryTake: (key: string) => Effect.Effect<Option.Option<Effect.Effect<void>>>
}

export class ClusterLeases extends Context.Tag("dependency-proxy/ClusterLeases")<ClusterLeases, ClusterLeasesShape>() {}
