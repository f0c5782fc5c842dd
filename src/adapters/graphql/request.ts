import { Either, Schema } from "effect"
import { type DocumentNode, GraphQLError, parse, validate } from "graphql"
import { MAX_COMPLEXITY, MAX_DEPTH, queryCost } from "./complexity.js"
import type { Operation } from "./execute.js"
import { schema } from "./schema.js"

/** GitLab refuses longer query texts before parsing them (`GraphqlController::MAX_QUERY_SIZE`). */
export const MAX_QUERY_SIZE = 10_000

const Body = Schema.Struct({
  query: Schema.String,
  variables: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  operationName: Schema.optional(Schema.NullOr(Schema.String))
})

const BAD_BODY = new GraphQLError(
  "Invalid request body: expected a JSON object with a string `query`, and optionally `variables` (an object) and `operationName` (a string)"
)

export interface Refusal {
  readonly status: number
  readonly errors: ReadonlyArray<GraphQLError>
}

const parseDocument = (query: string): Either.Either<DocumentNode, Refusal> => {
  try {
    return Either.right(parse(query))
  } catch (error) {
    // A syntax error is the caller's; anything else thrown by the parser is a bug and stays a 500.
    if (error instanceof GraphQLError) return Either.left({ status: 400, errors: [error] })
    throw error
  }
}

/** The request body as one operation, or why it cannot be run: 400 for a malformed or invalid document. */
export const prepareOperation = (body: unknown): Either.Either<Operation, Refusal> =>
  Either.gen(function*() {
    // The parse error would quote the body back, and the body may hold the Docker Hub secret.
    const decoded = yield* Schema.decodeUnknownEither(Body)(body).pipe(Either.mapLeft((): Refusal => ({ status: 400, errors: [BAD_BODY] })))
    if (decoded.query.length > MAX_QUERY_SIZE) return yield* Either.left({ status: 422, errors: [new GraphQLError("Query too large")] })
    const document = yield* parseDocument(decoded.query)
    const invalid = validate(schema, document)
    if (invalid.length > 0) return yield* Either.left({ status: 400, errors: invalid })
    // Before anything runs, in GitLab's words: a query asking too much is refused whole.
    const cost = queryCost(document, decoded.operationName ?? null)
    if (cost.complexity > MAX_COMPLEXITY) {
      return yield* Either.left({
        status: 400,
        errors: [new GraphQLError(`Query has complexity of ${cost.complexity}, which exceeds max complexity of ${MAX_COMPLEXITY}`)]
      })
    }
    if (cost.depth > MAX_DEPTH) {
      return yield* Either.left({ status: 400, errors: [new GraphQLError(`Query has depth of ${cost.depth}, which exceeds max depth of ${MAX_DEPTH}`)] })
    }
    return { document, variables: decoded.variables ?? null, operationName: decoded.operationName ?? null }
  })
