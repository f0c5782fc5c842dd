import { Effect, Option } from "effect"
import { requireOwner, roleIn, visibleGroup } from "../../application/api/permissions.js"
import { settingsHistory, type SettingChange } from "../../application/audit/settingsHistory.js"
import { type GroupCache, groupCache } from "../../application/cache/groupCache.js"
import type { LiveState } from "../../application/LiveView.js"
import { type BreakerReport, UpstreamBreakers } from "../../application/upstream/UpstreamBreakers.js"
import { AccessLevels } from "../../domain/AccessLevel.js"
import type { GroupView } from "../../domain/views.js"
import type { SignedIn } from "./signedIn.js"

export interface HistoryRow extends Omit<SettingChange, "actor" | "position"> {
  /** A username where the actor was a user; otherwise the recorded actor (`system:bootstrap`), or "unknown". */
  readonly who: string
}

export interface GroupPageData {
  readonly group: GroupView
  readonly role: number
  readonly isOwner: boolean
  readonly cache: GroupCache
  /** Newest first; only loaded for Owners, who are the only ones shown it. */
  readonly history: ReadonlyArray<HistoryRow> | null
  /** The upstream breakers, so the page can say when pulls of uncached images fail (ADR 0012). */
  readonly upstream: ReadonlyArray<BreakerReport>
}

const actorName = (state: LiveState, actor: string | null): string => {
  if (actor === null) return "unknown"
  const user = /^user:(\d+)$/.exec(actor)
  if (user === null) return actor
  return Option.match(state.user(Number(user[1])), { onNone: () => `${actor} (deleted)`, onSome: (u) => u.username })
}

/** A group the signed-in user can see, or `ApiNotFound` (also for groups that exist but are not visible). */
export const visibleGroupAt = (signed: SignedIn, fullPath: string) =>
  visibleGroup(signed.state, signed.actor, signed.state.groupAt(fullPath))

/** For every change: the group must be visible (else 404) and the user its Owner (else 403), checked here, not by hiding forms. */
export const ownedGroupAt = (signed: SignedIn, fullPath: string) =>
  Effect.gen(function*() {
    const group = yield* visibleGroupAt(signed, fullPath)
    yield* requireOwner(signed.state, signed.actor, group)
    return group
  })

export const loadGroupPage = (signed: SignedIn, fullPath: string) =>
  Effect.gen(function*() {
    const group = yield* visibleGroupAt(signed, fullPath)
    const role = roleIn(signed.state, signed.actor, group)
    const isOwner = role >= AccessLevels.owner
    const cache = yield* groupCache(group.groupId)
    // Newest event first; the changes one event made keep their order (a stable sort by position).
    const history = isOwner
      ? [...yield* settingsHistory(group.groupId)]
        .sort((a, b) => b.position - a.position)
        .map(({ actor, position: _, ...change }) => ({ ...change, who: actorName(signed.state, actor) }))
      : null
    const upstream = yield* Effect.flatMap(UpstreamBreakers, (breakers) => breakers.reports)
    return { group, role, isOwner, cache, history, upstream } satisfies GroupPageData
  })
