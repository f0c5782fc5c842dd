import { Effect } from "effect"
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import { RegistrySettings } from "../../../application/auth/RegistrySettings.js"
import { instanceCacheTotals } from "../../../application/cache/instanceCache.js"
import { allUsers, instanceSettings } from "../../../application/queries.js"
import { updateInstanceSettings } from "../../../application/useCases/instance.js"
import type { InstanceSettings } from "../../../domain/instance/InstanceSettings.js"
import { asUser } from "../actingUser.js"
import { requireAdminPage } from "../adminOnly.js"
import { formField } from "../formBody.js"
import { noticeFrom } from "../notices.js"
import { viewerOf } from "../requireSignIn.js"
import { seeOther, sendPage } from "../respond.js"
import { runOnPage } from "../runOnPage.js"
import type { SignedIn } from "../signedIn.js"
import type { UiContext } from "../uiContext.js"
import { ADMIN_PATH, ADMIN_SETTINGS_PATH } from "../views/adminNav.js"
import { adminOverviewPage } from "../views/adminOverviewView.js"
import { adminSettingsPage, type InstanceSettingsForm } from "../views/adminSettingsView.js"

const NOTICES = { saved: "The instance settings were saved." }

const formOf = (settings: InstanceSettings): InstanceSettingsForm => ({
  dependencyProxyEnabled: settings.dependencyProxyEnabled,
  usersMayCreateGroups: settings.usersMayCreateGroups,
  maxTokenLifetimeDays: String(settings.maxTokenLifetimeDays),
  errors: {}
})

const operatorEnabled = Effect.map(RegistrySettings, (settings) => settings.instanceEnabled)

const overview = Effect.gen(function*() {
  const totals = yield* instanceCacheTotals
  const users = yield* allUsers
  const operator = yield* operatorEnabled
  const settings = yield* instanceSettings
  return { totals, users: users.length, blockedUsers: users.filter((u) => u.blocked).length, proxyServing: operator && settings.dependencyProxyEnabled }
})

/** The admin area's overview (cache totals) and the instance settings form (`updateInstanceSettings`). */
export const registerAdminSettings = (app: FastifyInstance, ctx: UiContext): void => {
  const settingsPage = async (request: FastifyRequest, reply: FastifyReply, signed: SignedIn, status: number, form: InstanceSettingsForm | null, notice: string | null) => {
    const viewer = viewerOf(ctx, signed)
    const loaded = await runOnPage(ctx, request, reply, viewer, Effect.all({ settings: instanceSettings, operator: operatorEnabled }))
    if (loaded === null) return reply
    return sendPage(reply, status, adminSettingsPage(viewer, form ?? formOf(loaded.settings), loaded.operator, notice))
  }

  app.get(ADMIN_PATH, async (request, reply) => {
    const signed = await requireAdminPage(ctx, request, reply)
    if (signed === null) return reply
    const viewer = viewerOf(ctx, signed)
    const data = await runOnPage(ctx, request, reply, viewer, overview)
    return data === null ? reply : sendPage(reply, 200, adminOverviewPage(viewer, data))
  })

  app.get(ADMIN_SETTINGS_PATH, async (request, reply) => {
    const signed = await requireAdminPage(ctx, request, reply)
    return signed === null ? reply : settingsPage(request, reply, signed, 200, null, noticeFrom(request.query, NOTICES))
  })

  app.post(ADMIN_SETTINGS_PATH, async (request, reply) => {
    const signed = await requireAdminPage(ctx, request, reply)
    if (signed === null) return reply
    const body = request.body
    // Unchecked boxes are absent from the post: the form always holds all three settings, so absent is off.
    const form: InstanceSettingsForm = {
      dependencyProxyEnabled: formField(body, "dependency_proxy_enabled") !== null,
      usersMayCreateGroups: formField(body, "can_create_group") !== null,
      maxTokenLifetimeDays: (formField(body, "max_personal_access_token_lifetime") ?? "").trim(),
      errors: {}
    }
    const days = /^\d{1,9}$/.test(form.maxTokenLifetimeDays) ? Number(form.maxTokenLifetimeDays) : Number.NaN
    const saved = updateInstanceSettings({ dependencyProxyEnabled: form.dependencyProxyEnabled, usersMayCreateGroups: form.usersMayCreateGroups, maxTokenLifetimeDays: days }).pipe(
      Effect.as(null),
      Effect.catchTag("InvalidField", (e) => Effect.succeed(`Longest token lifetime ${e.message}.`)),
      asUser(signed)
    )
    const refusal = await runOnPage(ctx, request, reply, viewerOf(ctx, signed), saved.pipe(Effect.map((message) => ({ message }))))
    if (refusal === null) return reply
    if (refusal.message === null) return seeOther(reply, `${ADMIN_SETTINGS_PATH}?notice=saved`)
    return settingsPage(request, reply, signed, 422, { ...form, errors: { maxTokenLifetimeDays: refusal.message } }, null)
  })
}
