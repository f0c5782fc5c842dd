import type { FastifyInstance } from "fastify"

/** `application/json`, with or without parameters, and the `+json` types (`application/vnd.api+json`). */
const JSON_TYPES = /^application\/(?:[\w.-]+\+)?json(?:\s*;.*)?$/i

/**
 * JSON bodies for the routes of this plugin scope, where an empty body is no parameters rather than an error:
 * python-gitlab sends `Content-Type: application/json` on every request, DELETE included, with nothing after it,
 * and GitLab accepts that. Anything else is parsed by Fastify's own parser (prototype poisoning refused).
 */
export const acceptJsonBodies = (scope: FastifyInstance) => {
  const parse = scope.getDefaultJsonParser("error", "error")
  scope.removeContentTypeParser("application/json")
  scope.addContentTypeParser(JSON_TYPES, { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8")
    if (text.trim() === "") return done(null, undefined)
    return parse(request, text, done)
  })
}
