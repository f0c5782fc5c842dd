import { Effect, Option, Schema } from "effect"
import { normalizePath } from "../../domain/group/GroupPath.js"
import { GroupView, IndexView, Kinds, MembershipView, TokenView, UserView } from "../../domain/views.js"
import { ReadModelMap } from "../projection.js"
import { Projector } from "../ports/Projector.js"
import { scanLog } from "./scanLog.js"

/** A moment in the log: a time (events recorded at or before it) or a global position (inclusive). */
export type LogMoment = { readonly _tag: "Time"; readonly at: Date } | { readonly _tag: "Position"; readonly position: number }

export interface GroupStateAt {
  readonly group: Omit<GroupView, "settings"> & { readonly settings: Omit<GroupView["settings"], "secret"> & { readonly secretSet: boolean } }
  readonly members: ReadonlyArray<{ readonly userId: number; readonly username: string | null; readonly accessLevel: number }>
  readonly tokens: ReadonlyArray<Omit<TokenView, "digest">>
}

const decodeRow = <A, I>(schema: Schema.Schema<A, I>, models: ReadModelMap, kind: string, id: string): Option.Option<A> =>
  Option.fromNullable(models.get(kind, id)).pipe(Option.map((doc) => Schema.decodeUnknownSync(schema)(doc)))

const included = (moment: LogMoment, position: number, recordedAt: Date): boolean =>
  moment._tag === "Position" ? position <= moment.position : recordedAt.getTime() <= moment.at.getTime()

/**
 * A group's settings, members and tokens as they were at a moment: the log up to that moment replayed
 * through the same projector as the live read models. The secret is reduced to whether it was set.
 */
export const groupStateAt = (fullPath: string, moment: LogMoment) =>
  Effect.gen(function*() {
    const projector = yield* Projector
    const models = new ReadModelMap()
    yield* scanLog((event) => {
      if (included(moment, event.globalPosition, event.recordedAt)) models.apply(projector, event)
    })
    const index = decodeRow(IndexView, models, Kinds.groupByPath, normalizePath(fullPath))
    if (Option.isNone(index)) return Option.none<GroupStateAt>()
    const groupId = index.value.id
    const group = decodeRow(GroupView, models, Kinds.group, String(groupId))
    if (Option.isNone(group)) return Option.none<GroupStateAt>()
    const { secret, ...settings } = group.value.settings
    const rows = models.sorted()
    const members = rows
      .filter((r) => r.kind === Kinds.membership)
      .map((r) => Schema.decodeUnknownSync(MembershipView)(r.doc))
      .filter((m) => m.groupId === groupId)
      .map((m) => ({
        userId: m.userId,
        username: Option.getOrNull(decodeRow(UserView, models, Kinds.user, String(m.userId)).pipe(Option.map((u) => u.username))),
        accessLevel: m.accessLevel
      }))
    const tokens = rows
      .filter((r) => r.kind === Kinds.token)
      .map((r) => Schema.decodeUnknownSync(TokenView)(r.doc))
      .filter((t) => t.groupId === groupId)
      .map(({ digest, ...token }) => token)
    return Option.some<GroupStateAt>({
      group: { ...group.value, settings: { ...settings, secretSet: secret !== null } },
      members,
      tokens
    })
  })
