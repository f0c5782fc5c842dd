import { Effect } from "effect"
import type { GroupView } from "../../domain/views.js"
import { SecretBox } from "../ports/SecretBox.js"
import { type UpstreamCaller, UpstreamUnavailable } from "../ports/UpstreamRegistry.js"

/**
 * Who the cache is when it asks upstream on a group's behalf: the group, with its Docker Hub credentials
 * opened for the call. A secret that no longer opens (the encryption key changed) is an operator's problem
 * to see, not a reason to pull anonymously.
 */
export const upstreamCaller = (group: GroupView) =>
  Effect.gen(function*() {
    const { identity, secret } = group.settings
    if (identity === null || secret === null) return { groupId: group.groupId, credentials: null } satisfies UpstreamCaller
    const box = yield* SecretBox
    const opened = yield* box.open(secret).pipe(
      Effect.tapError(() => Effect.logError("cannot open a group's Docker Hub secret; is ENCRYPTION_KEY the one it was sealed with?", { groupId: group.groupId })),
      Effect.mapError(() => new UpstreamUnavailable({ reason: "the group's Docker Hub credentials cannot be read" }))
    )
    return { groupId: group.groupId, credentials: { identity, secret: opened } } satisfies UpstreamCaller
  })

/**
 * The caller as a manifest pull needs it: opened when the pull first asks upstream, once, and not at all when the
 * cache answers alone. A secret that no longer opens then fails only what needs upstream: a cached digest or a
 * cached tag still pulls, as with any other upstream that cannot be asked.
 */
export type LazyCaller = Effect.Effect<UpstreamCaller, UpstreamUnavailable>
