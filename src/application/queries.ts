import { Effect, Option, Schema } from "effect"
import { defaultInstanceSettings, InstanceSettings } from "../domain/instance/InstanceSettings.js"
import type { JsonObject } from "../domain/Json.js"
import { GroupsByPath, type ReadModelIndex, TokensByDigest, UsersByName } from "../domain/readModelIndexes.js"
import {
  GroupView,
  IndexView,
  INSTANCE_SETTINGS_ID,
  Kinds,
  MembershipView,
  SsoSessionView,
  TokenView,
  UserView
} from "../domain/views.js"
import { ReadModels } from "./ports/ReadModels.js"

/**
 * Typed reads of the read models. A document that does not decode was altered outside the application:
 * that is a defect (`orDie`), not something a caller can handle.
 */
const decode = <A, I>(schema: Schema.Schema<A, I>) => (doc: JsonObject): A => Schema.decodeUnknownSync(schema)(doc)

const getView = <A, I>(schema: Schema.Schema<A, I>, kind: string, id: string) =>
  ReadModels.pipe(
    Effect.flatMap((models) => models.get(kind, id)),
    Effect.map(Option.map(decode(schema)))
  )

const listViews = <A, I>(schema: Schema.Schema<A, I>, kind: string) =>
  ReadModels.pipe(
    Effect.flatMap((models) => models.list(kind)),
    Effect.map((rows) => rows.map((row) => decode(schema)(row.doc)))
  )

const byIndex = <A, I>(schema: Schema.Schema<A, I>, by: ReadModelIndex, value: string) =>
  getView(IndexView, by.index, by.key(value)).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeed(Option.none<A>()),
      onSome: (index) => getView(schema, by.target, String(index.id))
    }))
  )

export const userById = (userId: number) => getView(UserView, Kinds.user, String(userId))
export const userByUsername = (username: string) =>
  byIndex(UserView, UsersByName, username)
export const allUsers = listViews(UserView, Kinds.user)

export const groupById = (groupId: number) => getView(GroupView, Kinds.group, String(groupId))
export const groupByPath = (fullPath: string) => byIndex(GroupView, GroupsByPath, fullPath)
export const allGroups = listViews(GroupView, Kinds.group)

export const allMemberships = listViews(MembershipView, Kinds.membership)
export const membersOf = (groupId: number) =>
  allMemberships.pipe(Effect.map((all) => all.filter((m) => m.groupId === groupId)))

export const tokenById = (tokenId: number) => getView(TokenView, Kinds.token, String(tokenId))
export const tokenByDigest = (digest: string) => byIndex(TokenView, TokensByDigest, digest)
export const allTokens = listViews(TokenView, Kinds.token)

export const allSsoSessions = listViews(SsoSessionView, Kinds.ssoSession)

export const instanceSettings = getView(InstanceSettings, Kinds.instance, INSTANCE_SETTINGS_ID).pipe(
  Effect.map(Option.getOrElse(() => defaultInstanceSettings))
)
