import type { FastifyInstance } from "fastify"

const FORM = "application/x-www-form-urlencoded"

/** Forms are small; anything bigger is not ours. */
const BODY_LIMIT = 64 * 1024

/**
 * HTML forms post `application/x-www-form-urlencoded`, which Fastify does not parse by itself. Registered in
 * the UI's own plugin scope; if an enclosing scope already parses forms, that parser is used instead and
 * `formField` reads whatever shape it produced.
 */
export const acceptForms = (app: FastifyInstance): void => {
  if (app.hasContentTypeParser(FORM)) return
  app.addContentTypeParser(FORM, { parseAs: "string", bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    done(null, new URLSearchParams(typeof body === "string" ? body : body.toString("utf8")))
  })
}

/** One text field of a posted form; null when absent (an unchecked checkbox) or not text. */
export const formField = (body: unknown, name: string): string | null => {
  if (body instanceof URLSearchParams) return body.get(name)
  if (typeof body !== "object" || body === null) return null
  const value: unknown = Reflect.get(body, name)
  return typeof value === "string" ? value : null
}
