import { Effect } from "effect"
import type { GraphQLError } from "graphql"
import { type ApiActor, canWrite } from "../../application/api/apiActor.js"
import { requireOwner, visibleGroup } from "../../application/api/permissions.js"
import { CommandMetadata } from "../../application/CommandMetadata.js"
import { LiveView } from "../../application/LiveView.js"
import type { EventStoreUnavailable, VersionConflict } from "../../application/ports/EventStore.js"
import type { DomainError } from "../../domain/errors.js"
import { describeDomainError } from "../../domain/errorMessages.js"
import { resourceNotAvailable, storeTrouble } from "./context.js"

/**
 * The group a mutation may change: managing the dependency proxy needs Owner (GitLab 17.0+) and a token with
 * the `api` scope. Every "no" is the same top-level error, whether the group is missing or just not the
 * caller's.
 */
export const ownedGroup = (actor: ApiActor | null, groupPath: string) =>
  Effect.gen(function*() {
    if (actor === null || !canWrite(actor)) return yield* Effect.fail(resourceNotAvailable())
    const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
    const group = yield* visibleGroup(state, actor, state.groupAt(groupPath))
    yield* requireOwner(state, actor, group)
    return { actor, group }
  }).pipe(
    Effect.catchTags({
      ApiNotFound: () => Effect.fail(resourceNotAvailable()),
      ApiForbidden: () => Effect.fail(resourceNotAvailable()),
      EventStoreUnavailable: storeTrouble
    })
  )

/** Events the command appends carry who asked for it, not the request's anonymous metadata. */
export const asActor = (actor: ApiActor) =>
  Effect.updateService(CommandMetadata, (metadata) => ({ ...metadata, actor: `user:${actor.user.userId}` }))

/** GitLab's mutation payload: the result, or null and the refusals as messages in `errors`. */
export interface Outcome<A> {
  readonly value: A | null
  readonly errors: ReadonlyArray<string>
}

/**
 * A domain refusal is an answer, not a failure: it goes into the payload's `errors`. Store trouble stays a
 * field error (see `storeTrouble`).
 */
export const outcome = <A, R>(
  effect: Effect.Effect<A, DomainError | VersionConflict | EventStoreUnavailable, R>
): Effect.Effect<Outcome<A>, GraphQLError, R> =>
  effect.pipe(
    Effect.map((value): Outcome<A> => ({ value, errors: [] })),
    Effect.catchAll((error) =>
      error._tag === "VersionConflict" || error._tag === "EventStoreUnavailable"
        ? storeTrouble(error)
        : Effect.succeed<Outcome<A>>({ value: null, errors: [describeDomainError(error)] }))
  )
