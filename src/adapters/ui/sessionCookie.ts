import type { FastifyReply, FastifyRequest } from "fastify"
import { readCookie, setCookie } from "./cookies.js"
import { openSession, sealSession, type Session, SESSION_COOKIE, SESSION_TTL_MS } from "./session.js"
import type { UiContext } from "./uiContext.js"

/** The request's session if its cookie is genuine and unexpired; whether its user may still act is checked after. */
export const requestSession = (ctx: UiContext, request: FastifyRequest): Session | null =>
  openSession(ctx.key, readCookie(request.headers.cookie, SESSION_COOKIE), Date.now())

export const sessionCookie = (ctx: UiContext, session: Session): string =>
  setCookie(SESSION_COOKIE, sealSession(ctx.key, session), { path: "/", secure: ctx.secureCookies, maxAgeSeconds: SESSION_TTL_MS / 1000 })

export const endSession = (ctx: UiContext, reply: FastifyReply): FastifyReply =>
  reply.header("set-cookie", setCookie(SESSION_COOKIE, "", { path: "/", secure: ctx.secureCookies, maxAgeSeconds: 0 }))
