import type { FastifyInstance } from "fastify"
import type { EdgeRuntime } from "../edge/runtime.js"

/**
 * `POST /api/graphql`. graphql-js and the schema load with the first GraphQL request rather than with the
 * server: an idle server never needs them, and they cost megabytes of memory and part of a second of start-up
 * (ADR 0010).
 */
export const registerGraphql = (app: FastifyInstance, runtime: EdgeRuntime, externalUrl: string) => {
  let answer: Promise<typeof import("./answer.js")> | null = null
  app.post("/api/graphql", async (request, reply) => {
    answer ??= import("./answer.js")
    return (await answer).answerGraphql(runtime, externalUrl, request, reply)
  })
}
