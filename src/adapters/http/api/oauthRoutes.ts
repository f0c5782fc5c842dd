import type { FastifyInstance } from "fastify"
import { runForRequest } from "../../edge/requestContext.js"
import type { EdgeRuntime } from "../../edge/runtime.js"
import { API_BODY_LIMIT } from "./apiRoute.js"
import { sendJson } from "./oauthError.js"
import { passwordGrant } from "./passwordGrant.js"

/** `POST /oauth/token` (SPEC §7, bootstrap): from a password to an API token without a browser. */
export const registerOAuthRoutes = (scope: FastifyInstance, runtime: EdgeRuntime) => {
  scope.post("/oauth/token", { bodyLimit: API_BODY_LIMIT }, async (request, reply) => {
    const result = await runForRequest(runtime, request, reply, passwordGrant(request.body, request.ip))
    if (result._tag === "Success") return sendJson(reply, 200, result.value)
    if (result._tag === "Defect") return sendJson(reply, 500, { error: "server_error" })
    const e = result.error
    if (e.retryAfter !== undefined) reply.header("retry-after", String(e.retryAfter))
    return sendJson(reply, e.status, { error: e.error, error_description: e.description })
  })
}
