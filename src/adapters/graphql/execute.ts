import { Cause, Effect, Exit, Option, Runtime } from "effect"
import { type DocumentNode, execute, GraphQLError } from "graphql"
import type { FastifyBaseLogger } from "fastify"
import { type ApiActor, apiActor, canRead } from "../../application/api/apiActor.js"
import { ApiUnauthorized } from "../../application/api/errors.js"
import { settingsHistory } from "../../application/audit/settingsHistory.js"
import type { GraphqlServices, Run } from "./context.js"
import { schema } from "./schema.js"

export interface Operation {
  readonly document: DocumentNode
  readonly variables: Readonly<Record<string, unknown>> | null
  readonly operationName: string | null
}

/**
 * No token: anonymous. A token that is not a live personal access token with `api` or `read_api`: refused
 * outright, as GitLab answers 401 "Invalid token" rather than quietly treating the caller as anonymous.
 */
export const authenticate = (token: string | null) =>
  token === null
    ? Effect.succeed(null)
    : apiActor(token).pipe(Effect.filterOrFail(canRead, () => new ApiUnauthorized({ reason: "token has neither api nor read_api" })))

/**
 * Resolvers run their effects on the request's runtime (its services and request metadata) and stop when
 * the request's effect is interrupted. Expected failures are already `GraphQLError`s; a defect is logged with
 * the request and shown only as GitLab's "Internal server error".
 */
const runner = (runtime: Runtime.Runtime<GraphqlServices>, signal: AbortSignal, log: FastifyBaseLogger): Run =>
  async (effect) => {
    const exit = await Runtime.runPromiseExit(runtime)(effect, { signal })
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      if (failure.value.originalError !== undefined) log.warn({ err: failure.value.originalError }, "graphql field failed")
      throw failure.value
    }
    if (!Cause.isInterruptedOnly(exit.cause)) log.error({ cause: Cause.pretty(exit.cause) }, "graphql resolver failed with a defect")
    throw new GraphQLError("Internal server error")
  }

/** One GraphQL operation as one effect, for a caller already authenticated, resolvers bound to this request. */
export const executeOperation = (operation: Operation, actor: ApiActor | null, externalUrl: string, log: FastifyBaseLogger) =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<GraphqlServices>()
    const historyOf = yield* Effect.cachedFunction(settingsHistory)
    return yield* Effect.promise((signal) =>
      Promise.resolve(execute({
        schema,
        document: operation.document,
        variableValues: operation.variables,
        operationName: operation.operationName,
        contextValue: { actor, externalUrl, run: runner(runtime, signal, log), settingsHistory: historyOf }
      }))
    )
  })
