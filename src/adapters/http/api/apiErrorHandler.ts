import { STATUS_CODES } from "node:http"
import type { FastifyInstance } from "fastify"
import { internalError } from "./apiResponse.js"
import { send } from "./apiRoute.js"

const statusOf = (error: unknown): number => {
  if (typeof error !== "object" || error === null || !("statusCode" in error)) return 500
  return typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
}

const codeOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : ""

/**
 * Errors Fastify raises before a handler runs (unreadable JSON, a body over the limit, an unknown content
 * type), answered in GitLab's shape. Their messages are Fastify's fixed texts, never the body, which may
 * hold a password. Anything else is a defect: logged with the request id, answered 500.
 */
export const answerFrameworkErrors = (scope: FastifyInstance) => {
  scope.setErrorHandler((error, request, reply) => {
    const status = statusOf(error)
    if (status >= 500) {
      request.log.error({ err: error }, "API request failed before its handler")
      return send(reply, internalError)
    }
    if (status === 400 && codeOf(error).startsWith("FST_ERR_CTP_")) {
      return send(reply, { status, body: { error: "body is invalid: it must be JSON or form fields" } })
    }
    return send(reply, { status, body: { message: `${status} ${STATUS_CODES[status] ?? "Error"}` } })
  })
}

/** An unknown route under the API answers as GitLab's does, in the API's content type. */
export const answerUnknownRoutes = (scope: FastifyInstance) => {
  scope.setNotFoundHandler((_request, reply) => send(reply, { status: 404, body: { message: "404 Not Found" } }))
}
