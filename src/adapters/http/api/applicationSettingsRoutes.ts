import { Effect, Schema } from "effect"
import { requireAdmin } from "../../../application/api/permissions.js"
import { instanceSettings } from "../../../application/queries.js"
import { updateInstanceSettings } from "../../../application/useCases/instance.js"
import type { InstanceSettings } from "../../../domain/instance/InstanceSettings.js"
import { ok } from "./apiResponse.js"
import type { ApiRouter } from "./apiRoute.js"
import { decodeParams, FlagParam, IdParam, optional } from "./params.js"

const SettingsChange = Schema.Struct({
  can_create_group: optional(FlagParam),
  max_personal_access_token_lifetime: optional(IdParam),
  dependency_proxy_enabled: optional(FlagParam)
})

/** GitLab's names for the settings this instance has. */
const settingsJson = (settings: InstanceSettings) => ({
  can_create_group: settings.usersMayCreateGroups,
  max_personal_access_token_lifetime: settings.maxTokenLifetimeDays,
  // GitLab keeps this in gitlab.rb; here administrators switch it at run time (DEPENDENCY_PROXY_ENABLED still wins).
  dependency_proxy_enabled: settings.dependencyProxyEnabled
})

/** GitLab's application settings (administrators): who may create top-level groups, how long tokens may live. */
export const registerApplicationSettingsRoutes = (router: ApiRouter) => {
  router.get("/application/settings", "read", (context) =>
    requireAdmin(context.actor).pipe(Effect.zipRight(instanceSettings), Effect.map((settings) => ok(settingsJson(settings)))))

  router.put("/application/settings", "write", (context) =>
    Effect.gen(function*() {
      yield* requireAdmin(context.actor)
      const change = yield* decodeParams(SettingsChange, context.request.body)
      const settings = yield* updateInstanceSettings({
        usersMayCreateGroups: change.can_create_group,
        maxTokenLifetimeDays: change.max_personal_access_token_lifetime,
        dependencyProxyEnabled: change.dependency_proxy_enabled
      })
      return ok(settingsJson(settings))
    }))
}
