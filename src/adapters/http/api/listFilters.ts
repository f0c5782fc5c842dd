import { Schema } from "effect"
import type { TokenView } from "../../../domain/views.js"
import { AccessLevelParam, ChoiceParam, FlagParam, optional, TextParam } from "./params.js"

/** GitLab's `search`: a case-insensitive substring of any of the fields it names. */
export const matchesSearch = (search: string | undefined, ...fields: ReadonlyArray<string>): boolean => {
  if (search === undefined || search === "") return true
  const wanted = search.toLowerCase()
  return fields.some((field) => field.toLowerCase().includes(wanted))
}

export const GroupFilter = Schema.Struct({
  search: optional(TextParam),
  owned: optional(FlagParam),
  top_level_only: optional(FlagParam),
  min_access_level: optional(AccessLevelParam)
})

export const UserFilter = Schema.Struct({
  search: optional(TextParam),
  username: optional(TextParam),
  active: optional(FlagParam),
  blocked: optional(FlagParam)
})

/** GitLab's token list filters: `state` (`active` or `inactive`) and `revoked`. */
export const TokenFilter = Schema.Struct({
  state: optional(ChoiceParam("active", "inactive")),
  revoked: optional(FlagParam),
  /** Deploy tokens' own filter: not revoked and not expired. */
  active: optional(FlagParam)
})

const isActive = (token: TokenView, now: Date) =>
  !token.revoked && (token.expiresAt === null || token.expiresAt.getTime() > now.getTime())

export const tokenMatches = (filter: typeof TokenFilter.Type, now: Date) => (token: TokenView): boolean =>
  (filter.state === undefined || (filter.state === "active") === isActive(token, now)) &&
  (filter.revoked === undefined || filter.revoked === token.revoked) &&
  (filter.active === undefined || filter.active === isActive(token, now))
