import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import type { EdgeRuntime } from "../edge/runtime.js"
import type { SessionCaller } from "../edge/sessionCaller.js"

/**
 * `POST` and `GET /api/graphql`. graphql-js and the schema load with the first GraphQL request rather than with the
 * server: an idle server never needs them, and they cost megabytes of memory and part of a second of start-up
 * (ADR 0010).
 */
export const registerGraphql = (app: FastifyInstance, runtime: EdgeRuntime, externalUrl: string, sessionCaller: SessionCaller) => {
  let answer: Promise<typeof import("./answer.js")> | null = null
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    answer ??= import("./answer.js")
    return (await answer).answerGraphql(runtime, externalUrl, sessionCaller, request, reply)
  }
  app.post("/api/graphql", handler)
  // Queries only; a mutation over GET is refused (see httpRequest.ts).
  app.get("/api/graphql", handler)
}
