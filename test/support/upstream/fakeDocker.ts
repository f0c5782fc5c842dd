import type { IncomingMessage, ServerResponse } from "node:http"
import { Effect, type Scope } from "effect"
import { fakeServer, type FakeServer, type Handler, json } from "./fakeServer.js"

export const SERVICE = "fake-registry"

export interface FakeDockerOptions {
  /** Accounts the token server accepts with Basic auth; anonymous pulls are always allowed. */
  readonly users?: ReadonlyMap<string, string>
  /** What the registry does once a request carries a valid token; paths outside `/v2/` (storage) skip the check. */
  readonly content: (request: IncomingMessage, response: ServerResponse, url: URL, repository: string) => void
}

export interface FakeDocker {
  readonly registry: FakeServer
  readonly tokenServer: FakeServer
  /** Who each issued token was for, by token; tests clear it to make the registry forget its tokens. */
  readonly issued: Map<string, { readonly scope: string; readonly identity: string | null }>
}

/** `library/alpine` from `/v2/library/alpine/manifests/3.19` (and blobs, tags). */
export const repositoryOf = (url: URL): string =>
  /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(url.pathname)?.[1] ?? ""

const basicIdentity = (authorization: string | undefined, users: ReadonlyMap<string, string>): string | null | "refused" => {
  if (authorization === undefined) return null
  const decoded = Buffer.from(authorization.replace(/^Basic /, ""), "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  const identity = decoded.slice(0, colon)
  return colon >= 0 && users.get(identity) === decoded.slice(colon + 1) ? identity : "refused"
}

/**
 * Docker Hub in miniature: a token server issuing opaque tokens for `repository:<name>:pull` and a registry
 * answering 401 with a Bearer challenge unless the request carries a token for its repository.
 */
export const fakeDocker = (options: FakeDockerOptions): Effect.Effect<FakeDocker, never, Scope.Scope> =>
  Effect.gen(function*() {
    const users = options.users ?? new Map<string, string>()
    const issued = new Map<string, { scope: string; identity: string | null }>()
    const tokenServer = yield* fakeServer((request, response, url) => {
      const identity = basicIdentity(request.headers.authorization, users)
      if (identity === "refused") return json(response, 401, { details: "incorrect username or password" })
      const token = `token-${issued.size + 1}`
      issued.set(token, { scope: url.searchParams.get("scope") ?? "", identity })
      json(response, 200, { token, expires_in: 300, issued_at: new Date().toISOString() })
    })
    const registry = yield* fakeServer()
    const handler: Handler = (request, response, url) => {
      if (!url.pathname.startsWith("/v2/")) return options.content(request, response, url, "")
      const repository = repositoryOf(url)
      const token = request.headers.authorization?.replace(/^Bearer /, "")
      if (token === undefined || issued.get(token)?.scope !== `repository:${repository}:pull`) {
        return json(response, 401, { errors: [{ code: "UNAUTHORIZED" }] }, {
          "www-authenticate": `Bearer realm="${tokenServer.url}/token",service="${SERVICE}",scope="repository:${repository}:pull"`
        })
      }
      options.content(request, response, url, repository)
    }
    registry.handle(handler)
    return { registry, tokenServer, issued }
  })
