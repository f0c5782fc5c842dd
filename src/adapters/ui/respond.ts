import type { FastifyReply } from "fastify"
import type { Html } from "./html.js"

/** Pages show one user's data: never stored by a shared cache or the browser's back-forward cache. */
export const sendPage = (reply: FastifyReply, status: number, page: Html): FastifyReply =>
  reply.code(status).header("content-type", "text/html; charset=utf-8").header("cache-control", "no-store").send(page.value)

/** After a POST, `303 See Other` makes the browser GET the target, so a reload does not post again. */
export const seeOther = (reply: FastifyReply, location: string): FastifyReply =>
  reply.code(303).header("location", location).header("cache-control", "no-store").send()

/** Only a path on this site: an absolute URL or `//host` would turn the sign-in page into an open redirect. */
export const safeRedirect = (value: string | null): string =>
  value !== null && /^\/(?![/\\])[^\s\\]*$/.test(value) && !value.startsWith("/users/") ? value : "/groups"
