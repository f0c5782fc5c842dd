import type { Effect } from "effect"
import type { FastifyRequest } from "fastify"
import type { ApiActor } from "../../application/api/apiActor.js"
import type { RegistrySettings } from "../../application/auth/RegistrySettings.js"
import type { LiveView } from "../../application/LiveView.js"
import type { EventStoreUnavailable } from "../../application/ports/EventStore.js"

/**
 * Who a browser's UI session signs a request in as, or null: the UI owns sessions, GraphQL (the explorer's
 * requests) only asks. The composition root hands the UI's answer to GraphQL, so neither imports the other.
 */
export type SessionCaller = (request: FastifyRequest) => Effect.Effect<ApiActor | null, EventStoreUnavailable, LiveView | RegistrySettings>
