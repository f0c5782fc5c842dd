import { randomBytes } from "node:crypto"
import type { FastifyInstance } from "fastify"
import type { EdgeRuntime } from "../edge/runtime.js"
import { acceptForms } from "./formBody.js"
import { registerAdminSettings } from "./routes/adminSettingsRoutes.js"
import { registerAdminUsers } from "./routes/adminUserRoutes.js"
import { registerPassword } from "./routes/passwordRoutes.js"
import { registerGroupList } from "./routes/groupListRoutes.js"
import { registerGraphqlExplorer } from "./routes/graphqlExplorerRoutes.js"
import { registerTokens } from "./routes/tokenRoutes.js"
import { registerNewGroup } from "./routes/newGroupRoutes.js"
import { registerGroupPages } from "./routes/groupPageRoutes.js"
import { registerSignIn } from "./routes/signInRoutes.js"
import { SECURITY_HEADERS } from "./securityHeaders.js"
import { STYLESHEET } from "./stylesheet.js"

export interface UiOptions {
  readonly externalUrl: string
  /**
   * Signs session cookies. Absent (tests, tools), a random key is made: sessions then end with the process and
   * are not shared between replicas, so `serve` passes a key kept in the data directory.
   */
  readonly sessionKey?: Buffer
}

const MIN_KEY_BYTES = 32

/**
 * The web UI (SPEC §7): sign-in, the groups list and each group's Dependency Proxy page. Server-rendered HTML,
 * in its own plugin scope so that its form parser and security headers touch no other route.
 */
export const registerUi = (app: FastifyInstance, runtime: EdgeRuntime, options: UiOptions): void => {
  const key = options.sessionKey ?? randomBytes(MIN_KEY_BYTES)
  if (key.length < MIN_KEY_BYTES) throw new Error(`the session key must be at least ${MIN_KEY_BYTES} bytes, got ${key.length}`)
  const ctx = { runtime, key, externalUrl: options.externalUrl, secureCookies: new URL(options.externalUrl).protocol === "https:" }
  // Errors while registering surface from `app.ready()` / `listen()`, where the caller awaits them.
  void app.register(async (ui) => {
    acceptForms(ui)
    ui.addHook("onSend", async (_request, reply, payload) => {
      reply.headers(SECURITY_HEADERS)
      return payload
    })
    ui.get("/assets/app.css", async (_request, reply) =>
      reply.header("content-type", "text/css; charset=utf-8").header("cache-control", "public, max-age=3600").send(STYLESHEET))
    registerSignIn(ui, ctx)
    registerGroupList(ui, ctx)
    registerNewGroup(ui, ctx)
    registerTokens(ui, ctx)
    registerGroupPages(ui, ctx)
    registerPassword(ui, ctx)
    registerAdminUsers(ui, ctx)
    registerAdminSettings(ui, ctx)
  })
  registerGraphqlExplorer(app, ctx)
}
