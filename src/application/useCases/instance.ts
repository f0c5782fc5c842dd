import { Effect, Either } from "effect"
import { mayAdministerInstance } from "../../domain/auth/managementRules.js"
import { InstanceDecider, type UpdateInstanceSettings } from "../../domain/instance/InstanceSettings.js"
import { INSTANCE_SETTINGS_STREAM, InstanceStream } from "../../domain/streams.js"
import { decision, handleCommand } from "../commandHandler.js"
import { authorize } from "../issuer.js"
import { instanceSettings } from "../queries.js"

/** Administrators change the instance's settings; the answer is the settings as they now stand. */
export const updateInstanceSettings = (change: Omit<UpdateInstanceSettings, "_tag">) =>
  Effect.gen(function*() {
    yield* authorize(mayAdministerInstance)
    yield* handleCommand(Effect.succeed([
      decision(InstanceStream, InstanceDecider, INSTANCE_SETTINGS_STREAM, () => Either.right<UpdateInstanceSettings>({ _tag: "UpdateInstanceSettings", ...change }))
    ]))
    return yield* instanceSettings
  })
