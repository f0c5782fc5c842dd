import type { FastifyInstance } from "fastify"
import type { EdgeRuntime } from "../../edge/runtime.js"
import { answerFrameworkErrors, answerUnknownRoutes } from "./apiErrorHandler.js"
import { registerApplicationSettingsRoutes } from "./applicationSettingsRoutes.js"
import { apiRouter } from "./apiRoute.js"
import { registerDependencyProxyRoutes } from "./dependencyProxyRoutes.js"
import { registerDeployTokenRoutes } from "./deployTokenRoutes.js"
import { acceptFormBodies } from "./formBody.js"
import { acceptJsonBodies } from "./jsonBody.js"
import { registerGroupAccessTokenRoutes } from "./groupAccessTokenRoutes.js"
import { registerGroupRoutes } from "./groupRoutes.js"
import { registerJobTokenRoutes } from "./jobTokenRoutes.js"
import { registerMemberRoutes } from "./memberRoutes.js"
import { registerOAuthRoutes } from "./oauthRoutes.js"
import { registerPersonalAccessTokenRoutes } from "./personalAccessTokenRoutes.js"
import { registerSamlSessionRoutes } from "./samlSessionRoutes.js"
import { registerUserAdminRoutes } from "./userAdminRoutes.js"
import { registerUserRoutes } from "./userRoutes.js"
import { registerVersionRoutes } from "./versionRoutes.js"

/**
 * The REST API (SPEC §7) under `/api/v4`, and `POST /oauth/token`. Each lives in its own plugin scope, so
 * the form-body parser and the GitLab-shaped error answers apply to these routes only.
 */
export const registerApi = (app: FastifyInstance, runtime: EdgeRuntime, externalUrl: string) => {
  void app.register(async (scope) => {
    acceptFormBodies(scope)
    acceptJsonBodies(scope)
    answerFrameworkErrors(scope)
    answerUnknownRoutes(scope)
    const router = apiRouter(scope, runtime, externalUrl)
    registerUserRoutes(router)
    registerUserAdminRoutes(router)
    registerPersonalAccessTokenRoutes(router)
    registerGroupRoutes(router, externalUrl)
    registerMemberRoutes(router)
    registerDeployTokenRoutes(router)
    registerGroupAccessTokenRoutes(router)
    registerJobTokenRoutes(router, externalUrl)
    registerSamlSessionRoutes(router)
    registerDependencyProxyRoutes(router, externalUrl)
    registerApplicationSettingsRoutes(router)
    registerVersionRoutes(router)
  }, { prefix: "/api/v4" })

  void app.register(async (scope) => {
    acceptFormBodies(scope)
    acceptJsonBodies(scope)
    answerFrameworkErrors(scope)
    registerOAuthRoutes(scope, runtime)
  })
}
