import { Effect } from "effect"
import { RegistrySettings, type RegistrySettingsShape } from "./auth/RegistrySettings.js"
import { LiveView, type LiveState } from "./LiveView.js"

/**
 * The instance-wide Dependency Proxy switch: on only while both the operator's `DEPENDENCY_PROXY_ENABLED` and
 * the administrators' instance setting are. Pulls and every page that shows a group's state ask this one place.
 */
export const instanceProxyEnabled = (state: LiveState, settings: RegistrySettingsShape): boolean =>
  settings.instanceEnabled && state.instanceSettings().dependencyProxyEnabled

export const currentInstanceProxyEnabled = Effect.gen(function*() {
  const settings = yield* RegistrySettings
  const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
  return instanceProxyEnabled(state, settings)
})
