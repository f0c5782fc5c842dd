import { Either } from "effect"
import type { FastifyReply, FastifyRequest } from "fastify"
import { runForRequest } from "../edge/requestContext.js"
import type { EdgeRuntime } from "../edge/runtime.js"
import { executeOperation } from "./execute.js"
import { formatErrors, secretsOf } from "./redact.js"
import { prepareOperation } from "./request.js"

/** `Authorization: Bearer <token>` or `PRIVATE-TOKEN: <token>`; an empty value counts as no token. */
export const apiTokenOf = (request: FastifyRequest): string | null => {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1]
  const privateToken = request.headers["private-token"]
  const token = bearer ?? (typeof privateToken === "string" ? privateToken.trim() : "")
  return token === "" ? null : token
}

const queryOf = (body: unknown): string =>
  typeof body === "object" && body !== null && "query" in body && typeof body.query === "string" ? body.query : ""

const variablesOf = (body: unknown): unknown => (typeof body === "object" && body !== null && "variables" in body ? body.variables : null)

/**
 * `POST /api/graphql` (SPEC §7). Malformed or invalid documents are 400 before anything runs; an operation
 * runs as one effect for the request; field errors come back with 200 in `errors`, as in GitLab.
 */
export const answerGraphql = async (runtime: EdgeRuntime, externalUrl: string, request: FastifyRequest, reply: FastifyReply) => {
  const secrets = secretsOf(queryOf(request.body), variablesOf(request.body))
  const prepared = prepareOperation(request.body)
  if (Either.isLeft(prepared)) return reply.code(prepared.left.status).send({ errors: formatErrors(prepared.left.errors, secrets) })
  const outcome = await runForRequest(runtime, request, reply, executeOperation(prepared.right, apiTokenOf(request), externalUrl, request.log))
  if (outcome._tag === "Defect") return reply.code(500).send({ errors: [{ message: "Internal server error" }] })
  if (outcome._tag === "Failure") {
    if (outcome.error._tag === "ApiUnauthorized") return reply.code(401).send({ errors: [{ message: "Invalid token" }] })
    request.log.warn({ err: outcome.error }, "graphql: event store unavailable")
    return reply.code(503).send({ errors: [{ message: "Service temporarily unavailable, try again" }] })
  }
  const { data, errors } = outcome.value
  // No `data` at all means the request itself was wrong (variables that do not fit, an unknown operation).
  const status = data === undefined ? 400 : 200
  return reply.code(status).send({ ...(errors === undefined ? {} : { errors: formatErrors(errors, secrets) }), ...(data === undefined ? {} : { data }) })
}
