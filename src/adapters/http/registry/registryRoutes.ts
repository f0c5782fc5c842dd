import * as NodeStream from "@effect/platform-node/NodeStream"
import { Effect, Either } from "effect"
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import { authorizePullRequest, currentCredential, issueRegistryToken } from "../../../application/auth/registryAccess.js"
import { ImageContent } from "../../../application/ports/ImageContent.js"
import { parseRegistryPath, repositoryName } from "../../../domain/registry/RegistryPath.js"
import { runForRequest } from "../../edge/requestContext.js"
import type { EdgeRuntime } from "../../edge/runtime.js"
import { challengeFor, REGISTRY_SERVICE } from "./challenge.js"
import { FileBody } from "./FileBody.js"
import { API_VERSION, ociBody, type OciErrorResponse } from "./ociError.js"
import { parseRange } from "./range.js"
import { type RegistryFailure, registryError } from "./registryErrors.js"

/**
 * A stored blob goes out from its file straight to the socket (`FileBody`): no Effect stream in between (which
 * costs a fiber hop per chunk), 1 MiB reads into reused buffers. Memory stays bounded: two buffers per client.
 */
const fileBody = (path: string, size: number, span: { readonly start: number; readonly end: number } | null) =>
  span === null ? new FileBody(path, 0, size - 1) : new FileBody(path, span.start, span.end)

const sendOci = (reply: FastifyReply, error: OciErrorResponse) =>
  reply
    .code(error.status)
    .headers({ ...error.headers, "content-type": "application/json" })
    .send(ociBody(error))

const defect = (reply: FastifyReply) =>
  sendOci(reply, { status: 500, code: "UNKNOWN", message: "internal error; the request id is in the logs" })

const bearerOf = (request: FastifyRequest): string | null => {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")
  return match?.[1] ?? null
}

/** `Authorization: Basic base64(user:pass)`; null when absent or unreadable. */
const basicOf = (request: FastifyRequest): { readonly username: string; readonly password: string } | null => {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization ?? "")
  if (match?.[1] === undefined) return null
  const decoded = Buffer.from(match[1], "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

const queryParam = (request: FastifyRequest, name: string): unknown =>
  typeof request.query === "object" && request.query !== null && name in request.query ? Reflect.get(request.query, name) : undefined

const queryValues = (value: unknown): ReadonlyArray<string> =>
  typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []

/** The media types a client accepts, without parameters. */
const acceptList = (request: FastifyRequest): ReadonlyArray<string> =>
  (request.headers.accept ?? "").split(",").map((t) => t.split(";")[0]?.trim() ?? "").filter((t) => t !== "")

/**
 * The Docker registry protocol as the dependency proxy speaks it (SPEC §2–3): `/v2/`, manifests and blobs
 * under `/v2/<group>/dependency_proxy/containers/<image>/`, and the token endpoint `/jwt/auth`.
 */
export const registerRegistry = (app: FastifyInstance, runtime: EdgeRuntime, externalUrl: string) => {
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("docker-distribution-api-version", API_VERSION)
    return payload
  })

  const fail = (reply: FastifyReply, failure: RegistryFailure, repository: string | null) => {
    const error = registryError(failure, challengeFor(externalUrl, repository))
    // A 5xx is trouble upstream or in our storage: say which, so an operator seeing 503s knows why. Reasons
    // name hosts, paths and error codes, never credentials (see UpstreamUnavailable, describeUrl).
    if (error.status >= 500) reply.log.warn({ failure: failure._tag, reason: "message" in failure ? failure.message : "" }, "registry request failed")
    return sendOci(reply, error)
  }

  const base = async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await runForRequest(runtime, request, reply, currentCredential(bearerOf(request)))
    if (result._tag === "Success") return reply.code(200).header("content-type", "application/json").send("{}")
    return result._tag === "Failure" ? fail(reply, result.error, null) : defect(reply)
  }
  // GET and HEAD share handlers, registered explicitly: Fastify's automatic HEAD route would reset
  // Content-Length to 0, and clients (containerd) take a descriptor's size from the HEAD.
  const getAndHead = ["GET", "HEAD"] as const
  app.route({ method: [...getAndHead], url: "/v2", handler: base, exposeHeadRoute: false })
  app.route({ method: [...getAndHead], url: "/v2/", handler: base, exposeHeadRoute: false })

  app.route({ method: [...getAndHead], url: "/v2/*", exposeHeadRoute: false, handler: async (request, reply) => {
    const path = (request.raw.url ?? "").split("?")[0]?.slice("/v2".length) ?? ""
    const route = parseRegistryPath(path)
    if (Either.isLeft(route)) return fail(reply, route.left, null)
    const target = route.right
    if (target._tag === "Base") return base(request, reply)
    const repository = repositoryName(target.groupPath, target.image)
    const authorized = authorizePullRequest({ bearer: bearerOf(request), groupPath: target.groupPath, image: target.image })
    if (target._tag === "Tags") {
      const result = await runForRequest(runtime, request, reply, authorized.pipe(
        Effect.flatMap(({ group }) => ImageContent.pipe(Effect.flatMap((content) => content.tags(group, target.image))))
      ))
      if (result._tag === "Defect") return defect(reply)
      if (result._tag === "Failure") return fail(reply, result.error, repository)
      return reply.code(200).send({ name: repository, tags: result.value })
    }
    if (target._tag === "Manifest") {
      const result = await runForRequest(runtime, request, reply, authorized.pipe(
        Effect.flatMap(({ group }) =>
          ImageContent.pipe(Effect.flatMap((content) => content.manifest(group, target.image, target.reference, acceptList(request))))
        )
      ))
      if (result._tag === "Defect") return defect(reply)
      if (result._tag === "Failure") return fail(reply, result.error, repository)
      const manifest = result.value
      reply.code(200).headers({
        "content-type": manifest.mediaType,
        "content-length": String(manifest.body.length),
        "docker-content-digest": manifest.digest,
        etag: `"${manifest.digest}"`
      })
      return request.method === "HEAD" ? reply.send() : reply.send(Buffer.from(manifest.body))
    }
    const result = await runForRequest(runtime, request, reply, authorized.pipe(
      Effect.flatMap(({ group, tokenExpiresAt }) =>
        ImageContent.pipe(
          Effect.flatMap((content) => content.blob(group, target.image, target.digest)),
          Effect.map((blob) => ({ blob, tokenExpiresAt }))
        ))
    ))
    if (result._tag === "Defect") return defect(reply)
    if (result._tag === "Failure") return fail(reply, result.error, repository)
    const { blob, tokenExpiresAt } = result.value
    // S3_REDIRECT: a stored blob's GET goes to the bucket (307 keeps the method; the client re-sends its Range
    // there). Its URL expires no later than the token that asked for it; HEAD is answered here, with the size.
    const location = request.method === "GET" ? blob.directUrl(tokenExpiresAt, new Date()) : null
    if (location !== null) {
      return reply.code(307).headers({ location, "docker-content-digest": blob.digest, "content-length": "0" }).send()
    }
    const range = parseRange(request.headers.range, blob.size)
    reply.headers({ "docker-content-digest": blob.digest, "content-type": "application/octet-stream", "accept-ranges": "bytes" })
    if (range._tag === "Unsatisfiable") {
      return sendOci(reply, {
        status: 416,
        code: "RANGE_INVALID",
        message: "the requested range is not satisfiable",
        headers: { "content-range": `bytes */${blob.size}` }
      })
    }
    const span = range._tag === "Range" ? range.range : null
    reply.code(span === null ? 200 : 206).header("content-length", String(span === null ? blob.size : span.end - span.start + 1))
    if (span !== null) reply.header("content-range", `bytes ${span.start}-${span.end}/${blob.size}`)
    if (request.method === "HEAD") return reply.send()
    return reply.send(blob.file === null ? NodeStream.toReadableNever(blob.read(span)) : fileBody(blob.file, blob.size, span))
  } })

  // A blob whose transfer fails before its first byte reaches Fastify's error handler with no headers sent
  // yet: answer it in the registry's terms (an OCI 503), not with Fastify's bare 500.
  app.setErrorHandler((error, request, reply) => {
    if (!request.url.startsWith("/v2/")) return reply.send(error)
    request.log.warn({ err: error }, "registry response failed before its first byte")
    return sendOci(reply, { status: 503, code: "UNAVAILABLE", message: "the upstream transfer failed; try again" })
  })

  // A cache takes no pushes: every write method under /v2 answers UNSUPPORTED with an OCI body. Refused
  // before the body is parsed, so a push's manifest or layer never meets a content-type parser.
  app.addHook("onRequest", async (request, reply) => {
    if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return
    if (request.url === "/v2" || request.url.startsWith("/v2/")) return fail(reply, { _tag: "PushUnsupported" }, null)
  })
  app.setNotFoundHandler(async (request, reply) =>
    request.url.startsWith("/v2")
      ? fail(reply, { _tag: "RouteUnknown" }, null)
      : reply.code(404).send({ message: "404 Not Found" }))

  app.get("/jwt/auth", async (request, reply) => {
    const service = queryValues(queryParam(request, "service"))
    if (service.length !== 1 || service[0] !== REGISTRY_SERVICE) return fail(reply, { _tag: "UnknownService", service: service[0] ?? null }, null)
    const basic = basicOf(request)
    if (basic === null) {
      return sendOci(reply, {
        status: 401,
        code: "UNAUTHORIZED",
        message: "authentication required: send HTTP Basic credentials",
        headers: { "www-authenticate": challengeFor(externalUrl, null).basic }
      })
    }
    const result = await runForRequest(runtime, request, reply, issueRegistryToken({
      clientAddress: request.ip,
      username: basic.username,
      password: basic.password,
      scopes: queryValues(queryParam(request, "scope"))
    }))
    if (result._tag === "Defect") return defect(reply)
    if (result._tag === "Failure") return fail(reply, result.error, null)
    const { token, claims } = result.value
    return reply.code(200).send({
      token,
      access_token: token,
      expires_in: Math.round((claims.expiresAt.getTime() - claims.issuedAt.getTime()) / 1000),
      issued_at: claims.issuedAt.toISOString()
    })
  })
}
