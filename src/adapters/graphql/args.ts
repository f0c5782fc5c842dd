import { Effect, Schema } from "effect"
import { GraphQLError } from "graphql"
import type { Args } from "./context.js"

/**
 * Decodes a field's arguments into their TypeScript shape. graphql-js has already checked them against the
 * schema, so a failure means the schema and the decoder disagree; the detail is left out of the message
 * because the arguments may carry the Docker Hub secret.
 */
export const decodeArgs = <A, I>(schema: Schema.Schema<A, I>) => (args: Args) =>
  Schema.decodeUnknown(schema)(args).pipe(
    Effect.mapError(() => new GraphQLError("Arguments do not match the schema"))
  )

/** An optional GraphQL input field: absent, null, or a value. */
export const optionalInput = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(Schema.NullOr(schema), { exact: true })
