import { Effect, Either, Schema } from "effect"
import type { FastifyRequest } from "fastify"
import { ApiNotFound } from "./apiErrors.js"

const Params = Schema.Record({ key: Schema.String, value: Schema.String })

/** A path parameter as Fastify decoded it (`%2F` becomes `/`), or "" when absent. */
export const pathParam = (request: FastifyRequest, name: string): string => {
  const params: Readonly<Record<string, string>> = Either.getOrElse(Schema.decodeUnknownEither(Params)(request.params), () => ({}))
  return params[name] ?? ""
}

/** An integer id in the path; anything else names nothing, so it is GitLab's 404 for `what`. */
export const pathId = (request: FastifyRequest, name: string, what: string): Effect.Effect<number, ApiNotFound> => {
  const raw = pathParam(request, name)
  return /^\d{1,15}$/.test(raw) ? Effect.succeed(Number(raw)) : Effect.fail(new ApiNotFound({ what }))
}
