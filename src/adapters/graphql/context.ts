import { Effect } from "effect"
import { GraphQLError } from "graphql"
import type { ApiActor } from "../../application/api/apiActor.js"
import type { AppServices, RegistryServices } from "../../application/AppServices.js"
import type { CommandMetadata } from "../../application/CommandMetadata.js"
import type { SettingChange } from "../../application/audit/settingsHistory.js"
import type { EventStoreUnavailable, VersionConflict } from "../../application/ports/EventStore.js"

export type GraphqlServices = AppServices | RegistryServices | CommandMetadata

/**
 * Runs one resolver's effect inside the request's own effect: same services, same request metadata, and
 * interrupted with it. A resolver maps every expected failure to a `GraphQLError` first, so nothing else
 * reaches the client's `errors`.
 */
export type Run = <A>(effect: Effect.Effect<A, GraphQLError, GraphqlServices>) => Promise<A>

export interface GraphqlContext {
  /** null for an anonymous request, which sees nothing private (there are no public groups here). */
  readonly actor: ApiActor | null
  readonly externalUrl: string
  readonly run: Run
  /**
   * A group's settings history, read once per operation however many fields ask for it (each read replays the
   * group's stream): one query may name a group's TTL policy's `updatedAt` under many aliases.
   */
  readonly settingsHistory: (groupId: number) => Effect.Effect<ReadonlyArray<SettingChange>, EventStoreUnavailable, GraphqlServices>
}

/** GitLab's words for "no such thing, or not yours to touch": one answer, so nobody learns what exists. */
export const RESOURCE_NOT_AVAILABLE =
  "The resource that you are attempting to access does not exist or you don't have permission to perform this action"

export const resourceNotAvailable = () => new GraphQLError(RESOURCE_NOT_AVAILABLE)

/**
 * The store failing is not the caller's doing: the field gets a generic error; the cause rides along as
 * `originalError`, which the runner logs and the response never shows.
 */
export const storeTrouble = (error: EventStoreUnavailable | VersionConflict) =>
  Effect.fail(new GraphQLError("Service temporarily unavailable, try again", { originalError: error }))

/** Arguments as graphql-js hands them over: already checked against the schema, decoded again for types. */
export type Args = Readonly<Record<string, unknown>>
