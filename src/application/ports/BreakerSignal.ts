import { Context, type Effect, type Stream } from "effect"
import type { BreakerNews } from "../../domain/upstream/breaker.js"

/** A change of one upstream host's breaker, as replicas tell each other. */
export interface BreakerBulletin {
  readonly host: string
  readonly news: BreakerNews
}

/**
 * How replicas sharing one database share what their breakers learn (ADR 0012): only transitions travel, so
 * the database is asked nothing per request. A single process has nobody to tell.
 */
export interface BreakerSignalShape {
  /** Tells the other processes; best effort (a lost bulletin costs each replica its own discovery). */
  readonly announce: (bulletin: BreakerBulletin) => Effect.Effect<void>
  /** What other processes announced, never this one's own; fails when the connection drops (listen again). */
  readonly heard: Stream.Stream<BreakerBulletin, unknown>
}

export class BreakerSignal extends Context.Tag("dependency-proxy/BreakerSignal")<BreakerSignal, BreakerSignalShape>() {}
