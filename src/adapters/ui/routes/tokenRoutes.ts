import { Effect, Option } from "effect"
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import { allTokens } from "../../../application/queries.js"
import { createPersonalAccessToken } from "../../../application/useCases/accessTokens.js"
import { revokeToken } from "../../../application/useCases/tokenLifecycle.js"
import type { TokenView } from "../../../domain/views.js"
import { asUser } from "../actingUser.js"
import { parseExpiry } from "../expiryDate.js"
import { sendNotFound } from "../failures.js"
import { formField } from "../formBody.js"
import { requireSignIn, viewerOf } from "../requireSignIn.js"
import { seeOther, sendPage } from "../respond.js"
import { requireSignedPost } from "../signedPost.js"
import type { SignedIn } from "../signedIn.js"
import type { UiContext } from "../uiContext.js"
import { runOnPage, type UiEffect } from "../runOnPage.js"
import type { Viewer } from "../views/layout.js"
import { emptyTokenForm, OFFERED_SCOPES, revokeConfirmPage, type TokenForm, TOKENS_PATH, tokensPage } from "../views/tokensView.js"


/** The signed-in user's own personal access tokens, newest first. */
const ownTokens = (signed: SignedIn) =>
  allTokens.pipe(Effect.map((all) =>
    all.filter((t) => t.kind === "personal" && t.userId === signed.actor.user.userId).sort((a, b) => b.tokenId - a.tokenId)
  ))

const FIELD_LABELS: Readonly<Record<string, string>> = { name: "Token name", scopes: "Scopes", expires_at: "Expiration date" }

export const registerTokens = (app: FastifyInstance, ctx: UiContext): void => {
  const run = <A>(request: FastifyRequest, reply: FastifyReply, viewer: Viewer, effect: UiEffect<A>) => runOnPage(ctx, request, reply, viewer, effect)
  const page = async (request: FastifyRequest, reply: FastifyReply, signed: SignedIn, status: number, form: TokenForm, created: string | null, notice: string | null) => {
    const viewer = viewerOf(ctx, signed)
    const tokens = await run(request, reply, viewer, ownTokens(signed))
    return tokens === null ? reply : sendPage(reply, status, tokensPage(viewer, tokens, form, created, notice))
  }

  app.get(TOKENS_PATH, async (request, reply) => {
    const signed = await requireSignIn(ctx, request, reply)
    if (signed === null) return reply
    const revoked = typeof request.query === "object" && request.query !== null && Reflect.get(request.query, "notice") === "revoked"
    return page(request, reply, signed, 200, emptyTokenForm, null, revoked ? "The token was revoked." : null)
  })

  app.post(TOKENS_PATH, async (request, reply) => {
    const signed = await requireSignedPost(ctx, request, reply)
    if (signed === null) return reply
    const body = request.body
    const form: TokenForm = {
      name: (formField(body, "name") ?? "").trim(),
      scopes: OFFERED_SCOPES.map((s) => s.scope).filter((scope) => formField(body, `scope_${scope}`) !== null),
      expiresAt: (formField(body, "expires_at") ?? "").trim(),
      errors: {}
    }
    const expiresAt = parseExpiry(form.expiresAt)
    if (expiresAt === "invalid") return page(request, reply, signed, 422, { ...form, errors: { expires_at: "Expiration date must be a date, YYYY-MM-DD." } }, null, null)
    if (form.scopes.length === 0) return page(request, reply, signed, 422, { ...form, errors: { scopes: "Scopes: choose at least one." } }, null, null)
    // The UI session stands for the user, not for a token: no scope ceiling beyond the user's own rights.
    const created = createPersonalAccessToken({ userId: signed.actor.user.userId, name: form.name, scopes: form.scopes, expiresAt }).pipe(
      Effect.map((issued) => ({ _tag: "Created" as const, token: issued.token })),
      Effect.catchTag("InvalidField", (e) => Effect.succeed({ _tag: "Refused" as const, field: e.field, message: e.message })),
      asUser(signed)
    )
    const outcome = await run(request, reply, viewerOf(ctx, signed), created)
    if (outcome === null) return reply
    if (outcome._tag === "Created") return page(request, reply, signed, 200, emptyTokenForm, outcome.token, "The personal access token was created.")
    const label = FIELD_LABELS[outcome.field]
    const errors = label === undefined ? { form: `${outcome.field} ${outcome.message}.` } : { [outcome.field]: `${label} ${outcome.message}.` }
    return page(request, reply, signed, 422, { ...form, errors }, null, null)
  })

  /** Only one's own, active token: anyone else's is "not found", so ids reveal nothing. */
  const ownActive = (signed: SignedIn, tokenId: number) =>
    ownTokens(signed).pipe(Effect.map((tokens) => Option.fromNullable(tokens.find((t: TokenView) => t.tokenId === tokenId && !t.revoked))))

  app.post(`${TOKENS_PATH}/:id/revoke`, async (request, reply) => {
    const signed = await requireSignedPost(ctx, request, reply)
    if (signed === null) return reply
    const viewer = viewerOf(ctx, signed)
    const token = await run(request, reply, viewer, ownActive(signed, Number(Reflect.get(request.params ?? {}, "id"))))
    if (token === null) return reply
    return Option.isNone(token) ? sendNotFound(reply, viewer) : sendPage(reply, 200, revokeConfirmPage(viewer, token.value))
  })

  app.post(`${TOKENS_PATH}/:id/revoke/confirm`, async (request, reply) => {
    const signed = await requireSignedPost(ctx, request, reply)
    if (signed === null) return reply
    const viewer = viewerOf(ctx, signed)
    const revoked = ownActive(signed, Number(Reflect.get(request.params ?? {}, "id"))).pipe(
      Effect.flatMap(Option.match({
        onNone: () => Effect.succeed(false),
        onSome: (token) => revokeToken(token.tokenId).pipe(asUser(signed), Effect.as(true))
      }))
    )
    const done = await run(request, reply, viewer, revoked)
    if (done === null) return reply
    return done ? seeOther(reply, `${TOKENS_PATH}?notice=revoked`) : sendNotFound(reply, viewer)
  })
}
