import { normalizePath } from "./group/GroupPath.js"
import { normalizeUsername } from "./user/UserValidation.js"
import { Kinds } from "./views.js"

/**
 * A read model found by a second key: the index rows' kind (documents `{id}`), the kind they point at, and how
 * the key is written. One definition for the projector that writes the rows and for both readers (the live
 * view in memory and the queries on the table), so a lookup cannot normalize its key differently (ADR 0023).
 */
export interface ReadModelIndex {
  readonly index: string
  readonly target: string
  readonly key: (value: string) => string
}

export const UsersByName: ReadModelIndex = { index: Kinds.userByName, target: Kinds.user, key: normalizeUsername }
export const GroupsByPath: ReadModelIndex = { index: Kinds.groupByPath, target: Kinds.group, key: normalizePath }
/** Token digests are SHA-256 hex, already one spelling. */
export const TokensByDigest: ReadModelIndex = { index: Kinds.tokenByDigest, target: Kinds.token, key: (digest) => digest }
