import { Clock, Effect } from "effect"
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify"
import type { AppServices, RegistryServices } from "../../../application/AppServices.js"
import { type ApiActor, apiActor, canRead, canWrite } from "../../../application/api/apiActor.js"
import { CommandMetadata } from "../../../application/CommandMetadata.js"
import type { LiveState } from "../../../application/LiveView.js"
import { runForRequest } from "../../edge/requestContext.js"
import type { EdgeRuntime } from "../../edge/runtime.js"
import { ApiForbidden, type ApiFailure, apiErrorResponse } from "./apiErrors.js"
import { type ApiResponse, internalError } from "./apiResponse.js"
import { currentState } from "./freshView.js"
import { noteTokenUse } from "../../../application/auth/registryAccess.js"

export type ApiEnv = AppServices | RegistryServices | CommandMetadata

/** An authenticated call: who, the view of the world they were authenticated against, and when. */
export interface ApiContext {
  readonly actor: ApiActor
  readonly state: LiveState
  readonly now: Date
  readonly request: FastifyRequest
  /** Where clients reach the service (links in paging headers, `web_url`). */
  readonly externalUrl: string
}

export type ApiHandler = (context: ApiContext) => Effect.Effect<ApiResponse, ApiFailure, ApiEnv>

/** Reads need `api` or `read_api`; writes need `api`. */
export type Access = "read" | "write"

/** Larger bodies are refused (413) before parsing; no API parameter comes near it. */
export const API_BODY_LIMIT = 64 * 1024

/** `PRIVATE-TOKEN`, else `Authorization: Bearer`, as GitLab reads them. Never logged (see the server's redaction). */
const tokenOf = (request: FastifyRequest): string | null => {
  const header = request.headers["private-token"]
  if (typeof header === "string" && header !== "") return header
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")
  return match?.[1] ?? null
}

const authenticate = (request: FastifyRequest, access: Access, externalUrl: string) =>
  Effect.gen(function*() {
    const actor = yield* apiActor(tokenOf(request))
    if (!(access === "write" ? canWrite(actor) : canRead(actor))) {
      return yield* new ApiForbidden({ reason: access === "write" ? "the api scope is needed" : "the api or read_api scope is needed" })
    }
    const now = new Date(yield* Clock.currentTimeMillis)
    yield* noteTokenUse(actor.tokenId, `pat:${actor.tokenId}`, now)
    const state = yield* currentState
    return { actor, state, now, request, externalUrl } satisfies ApiContext
  })

/**
 * `application/json` exactly, as GitLab answers: python-gitlab before 4.0 compares the header with that string
 * and refuses anything else (a charset parameter included). JSON is UTF-8 by definition (RFC 8259). Sent as
 * bytes, because Fastify appends `; charset=utf-8` to a JSON type whenever the payload is a string.
 */
export const send = (reply: FastifyReply, response: ApiResponse) => {
  for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value)
  return response.status === 204
    ? reply.code(204).send()
    : reply.code(response.status).header("content-type", "application/json").send(Buffer.from(JSON.stringify(response.body), "utf8"))
}

/**
 * Authenticates, checks the token's scope, runs the handler with the caller recorded as the actor of every
 * event it causes, and answers the outcome: a value, a mapped failure, or 500 for a defect (logged).
 */
const apiHandler = (runtime: EdgeRuntime, externalUrl: string, access: Access, handle: ApiHandler) =>
  async (request: FastifyRequest, reply: FastifyReply) => {
    const effect = authenticate(request, access, externalUrl).pipe(
      Effect.flatMap((context) =>
        handle(context).pipe(
          Effect.updateService(CommandMetadata, (metadata) => ({ ...metadata, actor: `user:${context.actor.user.userId}` }))
        )
      )
    )
    const result = await runForRequest(runtime, request, reply, effect)
    return send(reply, result._tag === "Success" ? result.value : result._tag === "Failure" ? apiErrorResponse(result.error) : internalError)
  }

export type ApiRouter = Record<"get" | "post" | "put" | "patch" | "delete", (url: string, access: Access, handle: ApiHandler) => void>

export const apiRouter = (scope: FastifyInstance, runtime: EdgeRuntime, externalUrl: string): ApiRouter => {
  const on = (method: HTTPMethods) => (url: string, access: Access, handle: ApiHandler) => {
    scope.route({ method, url, bodyLimit: API_BODY_LIMIT, handler: apiHandler(runtime, externalUrl, access, handle) })
  }
  return { get: on("GET"), post: on("POST"), put: on("PUT"), patch: on("PATCH"), delete: on("DELETE") }
}
