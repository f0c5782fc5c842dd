import type * as SqlClient from "@effect/sql/SqlClient"
import { Layer } from "effect"
import type { EventStore } from "../../application/ports/EventStore.js"
import type { Projector } from "../../application/ports/Projector.js"
import type { ReadModels } from "../../application/ports/ReadModels.js"
import * as SqlEventStore from "./SqlEventStore.js"
import * as SqlReadModels from "./SqlReadModels.js"

/**
 * The log and its read models on one `SqlClient` (Postgres or PGlite): what `serve` and the CLI use. The same
 * code runs on both drivers; semantics follow the memory store (see the ports for the contract).
 */
export const layer: Layer.Layer<EventStore | ReadModels, never, SqlClient.SqlClient | Projector> = Layer.merge(
  SqlEventStore.layer,
  SqlReadModels.layer
)
