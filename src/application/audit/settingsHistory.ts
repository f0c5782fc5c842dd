import { Effect, Either } from "effect"
import { decodeEvent } from "../../domain/eventCodec.js"
import { GroupDecider } from "../../domain/group/GroupDecider.js"
import type { DependencyProxySettings, GroupState } from "../../domain/group/GroupState.js"
import { GroupStream, streamId } from "../../domain/streams.js"
import { EventStore } from "../ports/EventStore.js"

export interface SettingChange {
  readonly position: number
  readonly at: Date
  readonly actor: string | null
  /** The setting's name as the API spells it. */
  readonly setting: string
  /** Values as text; the Docker Hub secret is never shown, only that it changed (`to: "changed"`). */
  readonly from: string | null
  readonly to: string | null
}

const shown = (settings: DependencyProxySettings): ReadonlyArray<readonly [string, string | null]> => [
  ["enabled", String(settings.enabled)],
  ["identity", settings.identity],
  ["ttl_policy.enabled", String(settings.ttlPolicy.enabled)],
  ["ttl_policy.ttl", String(settings.ttlPolicy.ttlDays)],
  ["sso_enforced", String(settings.ssoEnforced)],
  ["serve_stale_on_not_found", String(settings.serveStaleOnNotFound)],
  ["manifest_check_interval", String(settings.manifestCheckIntervalSeconds)]
]

const secretFingerprint = (settings: DependencyProxySettings): string | null =>
  settings.secret === null ? null : `${settings.secret.keyId}:${settings.secret.ciphertext}:${settings.secret.iv}`

/** Differences between two settings, in a stable order. */
export const diffSettings = (before: DependencyProxySettings, after: DependencyProxySettings) => {
  const old = new Map(shown(before))
  const changes: Array<{ setting: string; from: string | null; to: string | null }> = []
  for (const [setting, value] of shown(after)) {
    const previous = old.get(setting) ?? null
    if (previous !== value) changes.push({ setting, from: previous, to: value })
  }
  if (secretFingerprint(before) !== secretFingerprint(after)) changes.push({ setting: "secret", from: null, to: "changed" })
  return changes
}

/** Who changed which dependency proxy setting of a group, when, from what to what. */
export const settingsHistory = (groupId: number) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const history = yield* store.readStream(streamId("group", groupId))
    const changes: Array<SettingChange> = []
    let state: GroupState = GroupDecider.initialState
    for (const stored of history) {
      const event = Either.getOrThrow(decodeEvent(GroupStream, stored))
      const next = GroupDecider.evolve(state, event)
      if (state !== null && next !== null && event._tag !== "GroupCreated") {
        for (const change of diffSettings(state.settings, next.settings)) {
          changes.push({ position: stored.globalPosition, at: stored.recordedAt, actor: stored.metadata.actor, ...change })
        }
      }
      state = next
    }
    return changes
  })
