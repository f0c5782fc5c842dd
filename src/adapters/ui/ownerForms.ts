import type { SettingsChange } from "../../application/useCases/groups.js"
import type { GroupView } from "../../domain/views.js"
import { formField } from "./formBody.js"

export type SettingsField = "enabled" | "identity" | "secret"
export type TtlField = "ttl"

/** A field's message; `form` is for a refusal that belongs to no single field. */
export type FieldErrors<F extends string> = Partial<Record<F | "form", string>>

/** What the Owner's forms show: the stored values, or what was just posted when it was refused. Never the secret. */
export interface OwnerForms {
  readonly settings: { readonly enabled: boolean; readonly identity: string; readonly errors: FieldErrors<SettingsField> }
  readonly ttl: { readonly enabled: boolean; readonly ttlDays: string; readonly errors: FieldErrors<TtlField> }
}

export const formsOf = (group: GroupView): OwnerForms => ({
  settings: { enabled: group.settings.enabled, identity: group.settings.identity ?? "", errors: {} },
  ttl: { enabled: group.settings.ttlPolicy.enabled, ttlDays: String(group.settings.ttlPolicy.ttlDays), errors: {} }
})

export type FormOutcome<C, F extends string> =
  | { readonly _tag: "Valid"; readonly change: C }
  | { readonly _tag: "Invalid"; readonly errors: FieldErrors<F> }

/**
 * The settings form. Identity and secret go together (both or neither), as in GitLab. The secret is never shown
 * back, so a blank secret beside the unchanged stored identity means "keep the credentials"; both blank means
 * "no credentials" (the "Clear credentials" button does the same in one click).
 */
type SettingsRead = { readonly posted: OwnerForms["settings"]; readonly outcome: FormOutcome<SettingsChange, SettingsField> }

export const readSettingsForm = (body: unknown, group: GroupView): SettingsRead => {
  const enabled = formField(body, "enabled") !== null
  const identity = (formField(body, "identity") ?? "").trim()
  const secret = formField(body, "secret") ?? ""
  const posted = { enabled, identity, errors: {} }
  const stored = group.settings
  const invalid = (errors: FieldErrors<SettingsField>): SettingsRead => ({ posted, outcome: { _tag: "Invalid", errors } })
  const valid = (change: SettingsChange): SettingsRead => ({ posted, outcome: { _tag: "Valid", change } })
  if (identity === "" && secret === "") return valid(stored.identity === null ? { enabled } : { enabled, identity: null, secret: null })
  if (identity === "") return invalid({ identity: "Identity must be set together with the secret (both or neither)." })
  if (secret === "") {
    const keeping = identity === stored.identity && stored.secret !== null
    return keeping ? valid({ enabled }) : invalid({ secret: "Secret must be set together with the identity (both or neither)." })
  }
  return valid({ enabled, identity, secret })
}

export interface TtlChange {
  readonly enabled: boolean
  readonly ttlDays: number
}

/** The TTL form; the range itself is the decider's rule, whose refusal is shown on the same field. */
export const readTtlForm = (body: unknown): { readonly posted: OwnerForms["ttl"]; readonly outcome: FormOutcome<TtlChange, TtlField> } => {
  const enabled = formField(body, "ttl_enabled") !== null
  const ttlDays = (formField(body, "ttl") ?? "").trim()
  const posted = { enabled, ttlDays, errors: {} }
  return /^\d{1,9}$/.test(ttlDays)
    ? { posted, outcome: { _tag: "Valid", change: { enabled, ttlDays: Number(ttlDays) } } }
    : { posted, outcome: { _tag: "Invalid", errors: { ttl: "Enter a whole number of days." } } }
}
