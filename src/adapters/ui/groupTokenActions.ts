import { Clock, Effect, Option } from "effect"
import { allTokens, instanceSettings } from "../../application/queries.js"
import { createDeployToken, createGroupAccessToken } from "../../application/useCases/accessTokens.js"
import { revokeToken } from "../../application/useCases/tokenLifecycle.js"
import { AccessLevels, isAccessLevel } from "../../domain/AccessLevel.js"
import type { GroupView } from "../../domain/views.js"
import { asUser } from "./actingUser.js"
import { parseExpiry } from "./expiryDate.js"
import { formField } from "./formBody.js"
import { ownedGroupAt } from "./groupPageData.js"
import { settingsPath } from "./groupSettingsRoute.js"
import type { GroupTokenKind } from "./groupTokenKinds.js"
import type { Html } from "./html.js"
import type { SignedIn } from "./signedIn.js"
import type { Viewer } from "./views/layout.js"
import { type CreatedToken, type GroupTokenForm, groupTokensPage, revokeGroupTokenPage } from "./views/groupTokensView.js"

/** What a settings request leads to: a page (with its status), a redirect after a change, or "not found". */
export type SettingsOutcome =
  | { readonly _tag: "Page"; readonly status: number; readonly page: Html }
  | { readonly _tag: "Redirect"; readonly location: string }
  | { readonly _tag: "NotFound" }

export const emptyGroupTokenForm: GroupTokenForm = { name: "", scopes: ["read_registry"], expiresAt: "", username: "", accessLevel: AccessLevels.guest, errors: {} }

/** The group's tokens of this kind, newest first. */
const tokensOf = (group: GroupView, kind: GroupTokenKind) =>
  allTokens.pipe(Effect.map((all) => all.filter((t) => t.kind === kind.kind && t.groupId === group.groupId).sort((a, b) => b.tokenId - a.tokenId)))

const pageOf = (signed: SignedIn, viewer: Viewer, kind: GroupTokenKind, groupPath: string, extra: {
  readonly status: number
  readonly form: GroupTokenForm
  readonly created: CreatedToken | null
  readonly notice: string | null
}) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, groupPath)
    const tokens = yield* tokensOf(group, kind)
    const { maxTokenLifetimeDays } = yield* instanceSettings
    const now = new Date(yield* Clock.currentTimeMillis)
    const page = groupTokensPage({ kind, group, tokens, now, maxLifetimeDays: maxTokenLifetimeDays, viewer, ...extra })
    return { _tag: "Page", status: extra.status, page } satisfies SettingsOutcome
  })

/** The page as an Owner opens it; `?notice=revoked` after a revocation. */
export const showGroupTokens = (signed: SignedIn, viewer: Viewer, kind: GroupTokenKind, groupPath: string, revoked: boolean) =>
  pageOf(signed, viewer, kind, groupPath, { status: 200, form: emptyGroupTokenForm, created: null, notice: revoked ? `The ${kind.singular} was revoked.` : null })

const readForm = (kind: GroupTokenKind, body: unknown): GroupTokenForm => {
  const level = Number(formField(body, "access_level"))
  return {
    name: (formField(body, "name") ?? "").trim(),
    scopes: kind.scopes.map((s) => s.scope).filter((scope) => formField(body, `scope_${scope}`) !== null),
    expiresAt: (formField(body, "expires_at") ?? "").trim(),
    username: (formField(body, "username") ?? "").trim(),
    accessLevel: isAccessLevel(level) ? level : AccessLevels.guest,
    errors: {}
  }
}

const LABELS: Readonly<Record<string, string>> = { name: "Token name", scopes: "Scopes", expires_at: "Expiration date", username: "Username" }

/**
 * Creates the token as the signed-in user: `ownedGroupAt` answers 404/403 before anything is read from the form,
 * and the use case authorizes the same user again (ADR 0014), also capping a group access token's role at their own.
 */
export const createGroupToken = (signed: SignedIn, viewer: Viewer, kind: GroupTokenKind, groupPath: string, body: unknown) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, groupPath)
    const form = readForm(kind, body)
    const refuse = (errors: GroupTokenForm["errors"]) => pageOf(signed, viewer, kind, groupPath, { status: 422, form: { ...form, errors }, created: null, notice: null })
    const expiresAt = parseExpiry(form.expiresAt)
    if (expiresAt === "invalid") return yield* refuse({ expires_at: "Expiration date must be a date, YYYY-MM-DD." })
    if (form.scopes.length === 0) return yield* refuse({ scopes: "Scopes: choose at least one." })
    const issue = kind.kind === "deploy"
      ? createDeployToken({ groupId: group.groupId, name: form.name, username: form.username === "" ? null : form.username, scopes: form.scopes, expiresAt })
      : createGroupAccessToken({ groupId: group.groupId, name: form.name, scopes: form.scopes, accessLevel: form.accessLevel, expiresAt })
    const outcome = yield* issue.pipe(
      Effect.map((issued) => ({ _tag: "Created" as const, created: { token: issued.token, username: kind.kind === "deploy" ? issued.username : null } })),
      Effect.catchTag("InvalidField", (e) => Effect.succeed({ _tag: "Refused" as const, field: e.field, message: e.message })),
      asUser(signed)
    )
    if (outcome._tag === "Created") {
      return yield* pageOf(signed, viewer, kind, groupPath, { status: 200, form: emptyGroupTokenForm, created: outcome.created, notice: `The ${kind.singular} was created.` })
    }
    const label = LABELS[outcome.field]
    return yield* refuse(label === undefined ? { form: `${outcome.field} ${outcome.message}.` } : { [outcome.field]: `${label} ${outcome.message}.` })
  })

/** Asks, then revokes; only an active token of this kind and group, any other id is "not found". */
export const revokeGroupToken = (signed: SignedIn, viewer: Viewer, kind: GroupTokenKind, groupPath: string, tokenId: number, confirmed: boolean) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, groupPath)
    const token = Option.fromNullable((yield* tokensOf(group, kind)).find((t) => t.tokenId === tokenId && !t.revoked))
    if (Option.isNone(token)) return { _tag: "NotFound" } satisfies SettingsOutcome
    if (!confirmed) return { _tag: "Page", status: 200, page: revokeGroupTokenPage(kind, group, token.value, viewer) } satisfies SettingsOutcome
    yield* revokeToken(token.value.tokenId).pipe(asUser(signed))
    return { _tag: "Redirect", location: `${settingsPath(group.fullPath, kind.page)}?notice=revoked` } satisfies SettingsOutcome
  })
