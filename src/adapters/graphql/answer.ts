import { Effect, Either } from "effect"
import type { FastifyReply, FastifyRequest } from "fastify"
import type { ExecutionResult } from "graphql"
import { runForRequest } from "../edge/requestContext.js"
import type { SessionCaller } from "../edge/sessionCaller.js"
import type { EdgeRuntime } from "../edge/runtime.js"
import { authenticate, executeOperation } from "./execute.js"
import { formatErrors, secretsOf } from "./redact.js"
import { type GraphqlRequest, requestOf } from "./httpRequest.js"

/** `Authorization: Bearer <token>` or `PRIVATE-TOKEN: <token>`; an empty value counts as no token. */
export const apiTokenOf = (request: FastifyRequest): string | null => {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1]
  const privateToken = request.headers["private-token"]
  const token = bearer ?? (typeof privateToken === "string" ? privateToken.trim() : "")
  return token === "" ? null : token
}

const secretsIn = (graphql: GraphqlRequest) => graphql.bodies.flatMap((body) => secretsOf(body.query, body.variables))

/**
 * `GET` and `POST /api/graphql` (SPEC §7): one operation, or a batch (a JSON array, as Apollo's batch link
 * sends) answered with an array in the same order. A single malformed or invalid document is 400 before
 * anything runs; in a batch, that element alone answers with its errors. The caller is authenticated once;
 * the operations run one after another as one effect for the request. Field errors come back with 200 in
 * `errors`, as in GitLab.
 */
export const answerGraphql = async (runtime: EdgeRuntime, externalUrl: string, sessionCaller: SessionCaller, request: FastifyRequest, reply: FastifyReply) => {
  const parsed = requestOf(request)
  if (Either.isLeft(parsed)) return reply.code(parsed.left.status).send({ errors: formatErrors(parsed.left.errors, []) })
  const graphql = parsed.right
  const secrets = secretsIn(graphql)
  if (!graphql.batch) {
    const only = graphql.operations[0]
    if (only !== undefined && Either.isLeft(only)) return reply.code(only.left.status).send({ errors: formatErrors(only.left.errors, secrets) })
  }
  const outcome = await runForRequest(
    runtime,
    request,
    reply,
    Effect.gen(function*() {
      const token = apiTokenOf(request)
      // A token decides alone; without one, the UI's session may sign the request in (the explorer's way).
      const actor = token === null ? yield* sessionCaller(request) : yield* authenticate(token)
      return yield* Effect.forEach(graphql.operations, (prepared) =>
        Either.isLeft(prepared)
          ? Effect.succeed<ExecutionResult>({ errors: prepared.left.errors })
          : executeOperation(prepared.right, actor, externalUrl, request.log))
    })
  )
  if (outcome._tag === "Defect") return reply.code(500).send({ errors: [{ message: "Internal server error" }] })
  if (outcome._tag === "Failure") {
    if (outcome.error._tag === "ApiUnauthorized") return reply.code(401).send({ errors: [{ message: "Invalid token" }] })
    request.log.warn({ err: outcome.error }, "graphql: event store unavailable")
    return reply.code(503).send({ errors: [{ message: "Service temporarily unavailable, try again" }] })
  }
  const answers = outcome.value.map(({ data, errors }) => ({
    ...(errors === undefined ? {} : { errors: formatErrors(errors, secrets) }),
    ...(data === undefined ? {} : { data })
  }))
  if (graphql.batch) return reply.code(200).send(answers)
  const [answer] = answers
  // No `data` at all means the request itself was wrong (variables that do not fit, an unknown operation).
  return reply.code(answer === undefined || !("data" in answer) ? 400 : 200).send(answer)
}
