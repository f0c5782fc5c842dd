import { Either, Schema } from "effect"
import type { FastifyRequest } from "fastify"
import { getOperationAST, GraphQLError } from "graphql"
import type { Operation } from "./execute.js"
import { prepareOperation, type Refusal } from "./request.js"

/** More operations than this in one batch are refused whole: one request must not run unbounded work. */
export const MAX_BATCH_SIZE = 50

export interface GraphqlRequest {
  /** A JSON array of operations, answered with an array. */
  readonly batch: boolean
  /** What each element carried, for filtering the Docker Hub secret out of messages. */
  readonly bodies: ReadonlyArray<{ readonly query: string; readonly variables: unknown }>
  readonly operations: ReadonlyArray<Either.Either<Operation, Refusal>>
}

const refuse = (status: number, message: string): Refusal => ({ status, errors: [new GraphQLError(message)] })

const rawOf = (body: unknown) => ({
  query: typeof body === "object" && body !== null && "query" in body && typeof body.query === "string" ? body.query : "",
  variables: typeof body === "object" && body !== null && "variables" in body ? body.variables : null
})

const GetParams = Schema.Struct({
  query: Schema.optional(Schema.String),
  variables: Schema.optional(Schema.String),
  operationName: Schema.optional(Schema.String)
})

const VariablesJson = Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown }))

/**
 * `GET /api/graphql?query=…&variables=<JSON>&operationName=…` runs queries only: a mutation over GET could
 * be triggered by a link or an image on another site, so it is refused with GitLab's 422 before it runs.
 */
const fromGet = (request: FastifyRequest): Either.Either<GraphqlRequest, Refusal> =>
  Either.gen(function*() {
    const params = yield* Schema.decodeUnknownEither(GetParams)(request.query).pipe(
      Either.mapLeft(() => refuse(400, "Invalid query string: expected `query`, and optionally `variables` (a JSON object) and `operationName`, each once"))
    )
    const variables = params.variables === undefined || params.variables === ""
      ? null
      : yield* Schema.decodeUnknownEither(VariablesJson)(params.variables).pipe(Either.mapLeft(() => refuse(400, "Invalid variables: expected a JSON object")))
    const body = { query: params.query, variables, operationName: params.operationName ?? null }
    const operation = prepareOperation(body).pipe(
      Either.flatMap((op) =>
        getOperationAST(op.document, op.operationName)?.operation === "mutation"
          ? Either.left(refuse(422, `Mutations are forbidden in ${request.method} requests`))
          : Either.right(op))
    )
    return { batch: false, bodies: [rawOf(body)], operations: [operation] }
  })

const fromPost = (body: unknown): Either.Either<GraphqlRequest, Refusal> => {
  if (!Array.isArray(body)) return Either.right({ batch: false, bodies: [rawOf(body)], operations: [prepareOperation(body)] })
  if (body.length === 0) return Either.left(refuse(400, "Invalid request body: an empty batch"))
  if (body.length > MAX_BATCH_SIZE) return Either.left(refuse(422, `Too many operations in one batch (at most ${MAX_BATCH_SIZE})`))
  const elements: ReadonlyArray<unknown> = body
  return Either.right({ batch: true, bodies: elements.map(rawOf), operations: elements.map(prepareOperation) })
}

/** What an HTTP request asks GraphQL to run. */
export const requestOf = (request: FastifyRequest): Either.Either<GraphqlRequest, Refusal> =>
  request.method === "GET" || request.method === "HEAD" ? fromGet(request) : fromPost(request.body)
