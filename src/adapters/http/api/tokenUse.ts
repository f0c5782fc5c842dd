import { Effect, Option } from "effect"
import type { ApiActor } from "../../../application/api/apiActor.js"
import { RegistrySettings } from "../../../application/auth/RegistrySettings.js"
import { CommandMetadata } from "../../../application/CommandMetadata.js"
import { LiveView } from "../../../application/LiveView.js"
import { recordTokenUse } from "../../../application/useCases/tokens.js"

/**
 * Keeps a personal access token's `last_used_at` current for API calls, as registry sign-ins do: at most
 * one event per token per interval, decided from the view without a read.
 */
export const noteApiTokenUse = (actor: ApiActor, now: Date) =>
  Effect.gen(function*() {
    const settings = yield* RegistrySettings
    const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
    const lastUsed = Option.flatMap(state.token(actor.tokenId), (t) => Option.fromNullable(t.lastUsedAt))
    const due = Option.match(lastUsed, { onNone: () => true, onSome: (at) => now.getTime() - at.getTime() >= settings.tokenUseIntervalMs })
    if (due) yield* recordTokenUse(actor.tokenId, settings.tokenUseIntervalMs)
  }).pipe(
    Effect.updateService(CommandMetadata, (metadata) => ({ ...metadata, actor: `pat:${actor.tokenId}` })),
    // Bookkeeping: failing to record a use must not refuse a valid call, but it is logged, never dropped.
    Effect.catchAll((error) => Effect.logWarning("could not record an API token's use", error))
  )
