import type { FastifyInstance } from "fastify"

/**
 * `application/x-www-form-urlencoded` fields as grape reads them: a repeated key or `key[]` makes a list.
 * Built through a Map and `Object.fromEntries`, so a `__proto__` field is data, never a prototype.
 */
export const formFields = (text: string): Record<string, string | ReadonlyArray<string>> => {
  const fields = new Map<string, string | ReadonlyArray<string>>()
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const isList = rawKey.endsWith("[]")
    const key = isList ? rawKey.slice(0, -2) : rawKey
    const previous = fields.get(key)
    fields.set(key, previous === undefined ? (isList ? [value] : value) : [...(typeof previous === "string" ? [previous] : previous), value])
  }
  return Object.fromEntries(fields)
}

const FORM = "application/x-www-form-urlencoded"

/**
 * Form bodies for the routes of this plugin scope only (Fastify parses JSON itself). A parser inherited from
 * an enclosing scope is replaced here, so the API always sees the shape above.
 */
export const acceptFormBodies = (scope: FastifyInstance) => {
  if (scope.hasContentTypeParser(FORM)) scope.removeContentTypeParser(FORM)
  scope.addContentTypeParser(FORM, { parseAs: "string" }, (_request, body, done) => {
    done(null, formFields(typeof body === "string" ? body : body.toString("utf8")))
  })
}
