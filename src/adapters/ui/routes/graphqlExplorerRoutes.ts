import type { FastifyInstance } from "fastify"
import { csrfToken } from "../csrf.js"
import { explorerAsset, isExplorerAsset } from "../explorerAssets.js"
import { escapeHtml } from "../html.js"
import { requireSignIn } from "../requireSignIn.js"
import type { UiContext } from "../uiContext.js"

export const EXPLORER_PATH = "/-/graphql-explorer"
const ASSETS = `${EXPLORER_PATH}/assets`

/**
 * Only this service: scripts and styles from its own files (no inline code), requests to itself. GraphiQL's
 * stylesheet embeds its fonts and icons as `data:` URLs, which are part of that file, not another origin.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'"
].join("; ")

const page = (csrf: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GraphQL explorer · Dependency Proxy</title>
<meta name="csrf-token" content="${escapeHtml(csrf)}">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS}/graphiql.css">
<link rel="stylesheet" href="${ASSETS}/explorer.css">
</head>
<body>
<div id="graphiql">Loading the GraphQL explorer…</div>
<script src="${ASSETS}/react.js"></script>
<script src="${ASSETS}/react-dom.js"></script>
<script src="${ASSETS}/graphiql.js"></script>
<script src="${ASSETS}/explorer.js"></script>
</body>
</html>
`

/**
 * GitLab's GraphiQL explorer at `/-/graphql-explorer`, for a signed-in user: queries run as them through
 * the UI's session cookie, the CSRF token in a header (see `sessionCaller`). Its own plugin scope, since its
 * Content-Security-Policy must allow its scripts where the rest of the UI allows none.
 */
export const registerGraphqlExplorer = (app: FastifyInstance, ctx: UiContext): void => {
  void app.register(async (explorer) => {
    explorer.addHook("onSend", async (_request, reply, payload) => {
      reply.headers({
        "content-security-policy": EXPLORER_CSP,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin"
      })
      return payload
    })
    explorer.get(EXPLORER_PATH, async (request, reply) => {
      const signed = await requireSignIn(ctx, request, reply)
      if (signed === null) return reply
      return reply.header("content-type", "text/html; charset=utf-8").header("cache-control", "no-store").send(page(csrfToken(ctx.key, signed.session)))
    })
    explorer.get<{ Params: { readonly name: string } }>(`${ASSETS}/:name`, async (request, reply) => {
      const name = request.params.name
      if (!isExplorerAsset(name)) return reply.code(404).header("content-type", "text/plain; charset=utf-8").send("Not found")
      const asset = await explorerAsset(name)
      return reply.header("content-type", asset.contentType).header("cache-control", "public, max-age=3600").send(asset.body)
    })
  })
}
