import { Effect } from "effect"
import { collectUnreferencedFilesSoon, purgeGroupCache } from "../../application/cache/cleanup.js"
import { CommandMetadata } from "../../application/CommandMetadata.js"
import { changeGroup, updateDependencyProxySettings } from "../../application/useCases/groups.js"
import type { InvalidField } from "../../domain/errors.js"
import { inBackground } from "../edge/inBackground.js"
import { type GroupPageData, loadGroupPage, ownedGroupAt } from "./groupPageData.js"
import { groupPagePath } from "./groupRoute.js"
import { type FieldErrors, formsOf, type OwnerForms, readSettingsForm, readTtlForm } from "./ownerForms.js"
import type { SignedIn } from "./signedIn.js"

/** What an Owner's post leads to: back to the page with a notice, the page again with the refusal, or the purge question. */
export type ActionOutcome =
  | { readonly _tag: "Redirect"; readonly location: string }
  | { readonly _tag: "Refused"; readonly data: GroupPageData; readonly forms: OwnerForms }
  | { readonly _tag: "ConfirmPurge"; readonly data: GroupPageData }

export type Notice = "settings_saved" | "credentials_cleared" | "ttl_saved" | "purged" | "group_created"

const done = (fullPath: string, notice: Notice): ActionOutcome => ({ _tag: "Redirect", location: `${groupPagePath(fullPath)}?notice=${notice}` })

/** Events carry who did it: the settings history names this user. */
const asUser = (signed: SignedIn) => Effect.updateService(CommandMetadata, (m) => ({ ...m, actor: `user:${signed.actor.user.userId}` }))

const refused = (signed: SignedIn, fullPath: string, patch: (forms: OwnerForms) => OwnerForms) =>
  loadGroupPage(signed, fullPath).pipe(Effect.map((data): ActionOutcome => ({ _tag: "Refused", data, forms: patch(formsOf(data.group)) })))

const LABELS: Readonly<Record<string, string>> = { identity: "Identity", secret: "Secret", enabled: "Enable Proxy", ttl: "TTL" }

/** A refusal by the domain's own rules, shown on the field it names when the form has it. */
const onField = <F extends string>(fields: ReadonlyArray<F>, error: InvalidField): FieldErrors<F> => {
  const text = `${LABELS[error.field] ?? error.field} ${error.message}.`
  const field = fields.find((f) => f === error.field)
  const errors: FieldErrors<F> = {}
  return field === undefined ? { ...errors, form: text } : { ...errors, [field]: text }
}

const noRefusal = Effect.succeed(null)

export const saveSettings = (signed: SignedIn, fullPath: string, body: unknown) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, fullPath)
    const { posted, outcome } = readSettingsForm(body, group)
    const refuse = (errors: FieldErrors<"enabled" | "identity" | "secret">) =>
      refused(signed, fullPath, (forms) => ({ ...forms, settings: { ...posted, errors } }))
    if (outcome._tag === "Invalid") return yield* refuse(outcome.errors)
    const refusal = yield* updateDependencyProxySettings(group.groupId, outcome.change).pipe(
      Effect.zipRight(noRefusal),
      Effect.catchTag("InvalidField", (error) => Effect.succeed(onField(["enabled", "identity", "secret"], error))),
      asUser(signed)
    )
    return refusal === null ? done(group.fullPath, "settings_saved") : yield* refuse(refusal)
  })

export const clearCredentials = (signed: SignedIn, fullPath: string) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, fullPath)
    yield* updateDependencyProxySettings(group.groupId, { identity: null, secret: null }).pipe(asUser(signed))
    return done(group.fullPath, "credentials_cleared")
  })

export const saveTtlPolicy = (signed: SignedIn, fullPath: string, body: unknown) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, fullPath)
    const { posted, outcome } = readTtlForm(body)
    const refuse = (errors: FieldErrors<"ttl">) => refused(signed, fullPath, (forms) => ({ ...forms, ttl: { ...posted, errors } }))
    if (outcome._tag === "Invalid") return yield* refuse(outcome.errors)
    const refusal = yield* changeGroup(group.groupId, { _tag: "UpdateImageTtlPolicy", ...outcome.change }).pipe(
      Effect.zipRight(noRefusal),
      Effect.catchTag("InvalidField", (error) => Effect.succeed(onField(["ttl"], error))),
      asUser(signed)
    )
    return refusal === null ? done(group.fullPath, "ttl_saved") : yield* refuse(refusal)
  })

/** The first step of a purge only asks; nothing is removed until the confirmation is posted. */
export const askPurge = (signed: SignedIn, fullPath: string) =>
  ownedGroupAt(signed, fullPath).pipe(
    Effect.zipRight(loadGroupPage(signed, fullPath)),
    Effect.map((data): ActionOutcome => ({ _tag: "ConfirmPurge", data }))
  )

/**
 * As the API's purge: accepted now, then, on a fiber of its own, the group's entries go and the files no other
 * group still uses. Run inside the request, a browser that went away stopped it halfway (an append per entry).
 */
export const purge = (signed: SignedIn, fullPath: string) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, fullPath)
    yield* inBackground(
      `purging the dependency proxy cache of group ${group.groupId}`,
      purgeGroupCache(group.groupId).pipe(asUser(signed), Effect.zipRight(collectUnreferencedFilesSoon))
    )
    return done(group.fullPath, "purged")
  })
